"""Expense reports: the beneficiary reports invoices, the official verifies, the ledger liquidates."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from funding.choices import CommitmentStatus, ExpenseReportStatus, LiquidationReason
from funding.models import Economy, ExpenseLine, ExpenseReport, Liquidation
from funding.services import expenses
from portal.choices import Role
from portal.models import AuditEvent
from portal.validators import ERROR_VAT_NUMBER
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import make_commitment

pytestmark = pytest.mark.django_db

VAT = "00743110157"  # a valid partita IVA (check digit)
TODAY = timezone.localdate()


def line_data(**overrides):
    data = {
        "supplier_name": "Forniture Sicurezza S.r.l.",
        "supplier_vat_number": VAT,
        "invoice_number": "FT-1",
        "invoice_date": TODAY - datetime.timedelta(days=10),
        "description": "Dispositivi di protezione individuale",
        "net_amount": "1000.00",
        "vat_amount": "220.00",
        "total_amount": "1220.00",
    }
    return {**data, **overrides}


@pytest.fixture
def grant():
    beneficiary = OrganisationFactory(name="Comune di Prova")
    commitment = make_commitment("2000.00", beneficiary=beneficiary)
    return {
        "commitment": commitment,
        "staff": make_user(Role.APPLICANT, beneficiary),
        "official": make_user(Role.REGIONAL_OFFICIAL),
        "stranger": make_user(Role.APPLICANT),
    }


def submitted_report(grant, *lines, is_final=True):
    report = expenses.expense_report_create(
        actor=grant["staff"], commitment=grant["commitment"], is_final=is_final
    )
    for data in lines or [line_data()]:
        expenses.expense_line_add(actor=grant["staff"], report=report, **data)
    return expenses.expense_report_submit(actor=grant["staff"], report=report)


def test_final_report_liquidates_the_eligible_amount_and_returns_the_rest(grant):
    report = submitted_report(
        grant,
        line_data(),
        line_data(invoice_number="FT-2", net_amount="300.00", vat_amount="0", total_amount="300.00"),
    )
    first, second = report.lines.order_by("pk")
    official = grant["official"]
    expenses.expense_line_set_eligibility(actor=official, line=first, eligible=True)
    expenses.expense_line_set_eligibility(actor=official, line=second, eligible=False, reason="Fuori periodo")
    preview = expenses.expense_report_payable(report=report)
    assert preview.eligible_amount == Decimal("1220.00")  # gross by default
    assert preview.amount == Decimal("1220.00")
    expenses.expense_report_verify(actor=official, report=report, act_number="9/2024", act_date=TODAY)
    report.refresh_from_db()
    assert report.status == ExpenseReportStatus.VERIFIED
    assert report.payable_amount == Decimal("1220.00")
    assert report.liquidation.reason == LiquidationReason.BALANCE
    commitment = grant["commitment"]
    commitment.refresh_from_db()
    assert commitment.liquidated_total == Decimal("1220.00")
    assert commitment.economies_total == Decimal("780.00")  # what stays unspent goes back
    assert commitment.to_liquidate == Decimal("0.00")
    assert commitment.status != CommitmentStatus.CANCELLED
    reservation = commitment.reservation
    reservation.refresh_from_db()
    assert reservation.available == Decimal("780.00")
    actions = list(
        AuditEvent.objects.filter(action__startswith="expense.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "expense.report.created",
        "expense.line.added",
        "expense.line.added",
        "expense.report.submitted",
        "expense.line.eligibility",
        "expense.line.eligibility",
        "expense.report.verified",
    ]


def test_payable_is_capped_by_what_is_left_on_the_commitment(grant):
    report = submitted_report(
        grant, line_data(net_amount="2000.00", vat_amount="440.00", total_amount="2440.00")
    )
    expenses.expense_line_set_eligibility(actor=grant["official"], line=report.lines.get(), eligible=True)
    preview = expenses.expense_report_payable(report=report)
    assert preview.allowed == Decimal("2440.00")
    assert preview.remaining == Decimal("2000.00")
    assert preview.amount == Decimal("2000.00")


def test_advance_then_balance(grant):
    official = grant["official"]
    advance = submitted_report(grant, line_data(), is_final=False)
    expenses.expense_line_set_eligibility(actor=official, line=advance.lines.get(), eligible=True)
    expenses.expense_report_verify(actor=official, report=advance, act_number="1", act_date=TODAY)
    advance.refresh_from_db()
    assert advance.liquidation.reason == LiquidationReason.ADVANCE
    assert not Economy.objects.exists()
    balance = submitted_report(
        grant,
        line_data(invoice_number="FT-9", net_amount="500.00", vat_amount="110.00", total_amount="610.00"),
    )
    expenses.expense_line_set_eligibility(actor=official, line=balance.lines.get(), eligible=True)
    expenses.expense_report_verify(actor=official, report=balance, act_number="2", act_date=TODAY)
    commitment = grant["commitment"]
    commitment.refresh_from_db()
    assert commitment.liquidated_total == Decimal("1830.00")
    assert commitment.economies_total == Decimal("170.00")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"supplier_vat_number": "00743110158"}, "supplier_vat_number", ERROR_VAT_NUMBER),
        ({"total_amount": "1221.00"}, "total_amount", None),
        ({"invoice_date": TODAY + datetime.timedelta(days=1)}, "invoice_date", expenses.ERROR_INVOICE_FUTURE),
        ({"net_amount": "-5"}, "net_amount", None),
        ({"net_amount": 10.5}, "net_amount", None),
    ],
)
def test_a_wrong_line_is_refused_on_its_field_and_changes_nothing(grant, overrides, field, message):
    report = expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        expenses.expense_line_add(actor=grant["staff"], report=report, **line_data(**overrides))
    assert field in excinfo.value.message_dict
    if message is not None:
        assert excinfo.value.message_dict[field] == [str(message)]
    assert not ExpenseLine.objects.exists()
    assert AuditEvent.objects.count() == events


def test_total_mismatch_names_both_figures(grant):
    report = expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])
    with pytest.raises(ValidationError) as excinfo:
        expenses.expense_line_add(actor=grant["staff"], report=report, **line_data(total_amount="1221.00"))
    assert excinfo.value.message_dict["total_amount"] == [
        str(expenses.ERROR_TOTAL_MISMATCH) % {"total": "€ 1.221,00", "expected": "€ 1.220,00"}
    ]


def test_an_invoice_is_reported_once_per_grant(grant):
    report = submitted_report(grant, is_final=False)
    expenses.expense_line_set_eligibility(actor=grant["official"], line=report.lines.get(), eligible=True)
    expenses.expense_report_verify(actor=grant["official"], report=report, act_number="1", act_date=TODAY)
    second = expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])
    with pytest.raises(ValidationError) as excinfo:
        expenses.expense_line_add(actor=grant["staff"], report=second, **line_data())
    assert excinfo.value.message_dict["invoice_number"] == [
        str(expenses.ERROR_INVOICE_DUPLICATE) % {"number": "FT-1"}
    ]


def test_one_open_report_at_a_time(grant):
    expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])
    with pytest.raises(ValidationError) as excinfo:
        expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])
    assert excinfo.value.message_dict["commitment"][0].startswith("Expense report n.") or "aperta" in str(
        excinfo.value
    )
    assert ExpenseReport.objects.count() == 1


def test_empty_report_cannot_be_submitted(grant):
    report = expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])
    with pytest.raises(ValidationError) as excinfo:
        expenses.expense_report_submit(actor=grant["staff"], report=report)
    assert excinfo.value.message_dict["lines"] == [str(expenses.ERROR_REPORT_EMPTY)]
    report.refresh_from_db()
    assert report.status == ExpenseReportStatus.DRAFT


def test_submitted_report_is_frozen_for_the_beneficiary(grant):
    report = submitted_report(grant)
    with pytest.raises(ValidationError) as excinfo:
        expenses.expense_line_add(actor=grant["staff"], report=report, **line_data(invoice_number="X"))
    assert "report" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        expenses.expense_line_remove(actor=grant["staff"], line=report.lines.get())


def test_ineligible_needs_a_reason_and_verification_needs_every_decision(grant):
    report = submitted_report(grant, line_data(), line_data(invoice_number="FT-2"))
    first, _second = report.lines.order_by("pk")
    with pytest.raises(ValidationError) as excinfo:
        expenses.expense_line_set_eligibility(actor=grant["official"], line=first, eligible=False)
    assert excinfo.value.message_dict["ineligible_reason"] == [str(expenses.ERROR_REASON_REQUIRED)]
    expenses.expense_line_set_eligibility(actor=grant["official"], line=first, eligible=True)
    with pytest.raises(ValidationError) as excinfo:
        expenses.expense_report_verify(actor=grant["official"], report=report, act_number="1", act_date=TODAY)
    assert excinfo.value.message_dict["lines"] == [str(expenses.ERROR_LINES_UNDECIDED) % {"count": 1}]
    assert not Liquidation.objects.exists()


def test_returned_report_can_be_corrected_and_resubmitted(grant):
    report = submitted_report(grant)
    expenses.expense_report_return(actor=grant["official"], report=report, reason="Manca la quietanza")
    report.refresh_from_db()
    assert report.status == ExpenseReportStatus.RETURNED
    expenses.expense_line_remove(actor=grant["staff"], line=report.lines.get())
    expenses.expense_line_add(actor=grant["staff"], report=report, **line_data(invoice_number="FT-1bis"))
    expenses.expense_report_submit(actor=grant["staff"], report=report)
    report.refresh_from_db()
    assert report.status == ExpenseReportStatus.SUBMITTED


def test_nothing_eligible_on_a_final_report_cancels_the_commitment(grant):
    report = submitted_report(grant)
    expenses.expense_line_set_eligibility(
        actor=grant["official"], line=report.lines.get(), eligible=False, reason="Spesa non pertinente"
    )
    expenses.expense_report_verify(actor=grant["official"], report=report, act_number="1", act_date=TODAY)
    commitment = grant["commitment"]
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.CANCELLED
    assert commitment.economies_total == Decimal("2000.00")
    assert not Liquidation.objects.exists()


def test_official_closes_a_grant_never_reported(grant):
    economy = expenses.grant_close(
        actor=grant["official"],
        commitment=grant["commitment"],
        act_number="5",
        act_date=TODAY,
        reason="Termine scaduto",
    )
    assert economy.amount == Decimal("2000.00")
    with pytest.raises(ValidationError) as excinfo:
        expenses.grant_close(
            actor=grant["official"], commitment=grant["commitment"], act_number="6", act_date=TODAY
        )
    assert excinfo.value.message_dict["commitment"] == [str(expenses.ERROR_NOTHING_TO_CLOSE)]
    with pytest.raises(ValidationError):
        expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])


def test_closing_waits_for_a_submitted_report(grant):
    submitted_report(grant)
    with pytest.raises(ValidationError) as excinfo:
        expenses.grant_close(
            actor=grant["official"], commitment=grant["commitment"], act_number="5", act_date=TODAY
        )
    assert "commitment" in excinfo.value.message_dict
    assert not Economy.objects.exists()


@pytest.mark.parametrize("who", ["stranger", "official", "anonymous"])
def test_only_the_beneficiary_reports(grant, who):
    from django.contrib.auth.models import AnonymousUser

    actor = AnonymousUser() if who == "anonymous" else grant[who]
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        expenses.expense_report_create(actor=actor, commitment=grant["commitment"])
    assert not ExpenseReport.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("who", ["staff", "stranger", "auditor"])
def test_only_officials_examine_and_verify(grant, who):
    report = submitted_report(grant)
    actor = make_user(Role.AUDITOR) if who == "auditor" else grant[who]
    line = report.lines.get()
    with pytest.raises(PermissionDenied):
        expenses.expense_line_set_eligibility(actor=actor, line=line, eligible=True)
    with pytest.raises(PermissionDenied):
        expenses.expense_report_verify(actor=actor, report=report, act_number="1", act_date=TODAY)
    with pytest.raises(PermissionDenied):
        expenses.grant_close(actor=actor, commitment=grant["commitment"], act_number="1", act_date=TODAY)
    line.refresh_from_db()
    assert line.eligible is None
    assert not Liquidation.objects.exists()


def test_every_wrong_field_is_reported_at_once(grant):
    report = expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])
    with pytest.raises(ValidationError) as excinfo:
        expenses.expense_line_add(
            actor=grant["staff"],
            report=report,
            **line_data(
                supplier_vat_number="123",
                total_amount="1.00",
                invoice_date=TODAY + datetime.timedelta(days=3),
                supplier_name="",
            ),
        )
    assert set(excinfo.value.message_dict) == {
        "supplier_vat_number",
        "total_amount",
        "invoice_date",
        "supplier_name",
    }


def test_invoices_are_attached_through_the_documents_service(grant):
    from funding.choices import AllocationMethod
    from funding.services.allocation import allocation_adopt, allocation_propose
    from tests.funding.factories import make_admitted, make_allocation_call
    from tests.funding.factories_calls import upload

    beneficiary = grant["commitment"].beneficiary
    call = make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT, amount="1000.00")
    application = make_admitted(call, beneficiary, declared_weight=5)
    allocation = allocation_propose(actor=grant["official"], call=call)
    allocation_adopt(actor=grant["official"], allocation=allocation, act_number="1", act_date=TODAY)
    report = expenses.expense_report_create(actor=grant["staff"], application=application)
    line = expenses.expense_line_add(actor=grant["staff"], report=report, **line_data())
    document = expenses.expense_document_attach(
        actor=grant["staff"], line=line, uploaded_file=upload("fattura.pdf")
    )
    assert (document.expense_line, document.application) == (line, application)
    with pytest.raises(ValidationError) as excinfo:
        expenses.expense_document_attach(
            actor=grant["staff"], line=line, uploaded_file=upload("fattura.pdf", b"not a pdf at all")
        )
    assert "file" in excinfo.value.message_dict
    assert line.documents.count() == 1
    with pytest.raises(PermissionDenied):
        expenses.expense_document_attach(actor=grant["stranger"], line=line, uploaded_file=upload())


def test_a_split_without_application_keeps_invoices_on_the_lines(grant, client):
    from funding.selectors import document_visible
    from tests.funding.factories_calls import upload

    report = expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])
    line = expenses.expense_line_add(actor=grant["staff"], report=report, **line_data())
    document = expenses.expense_document_attach(actor=grant["staff"], line=line, uploaded_file=upload())
    assert (document.expense_line, document.application) == (line, None)
    assert document.file.name.startswith(f"documents/grants/{grant['commitment'].pk}/")
    event = AuditEvent.objects.get(action="document.uploaded", target_id=str(document.pk))
    assert event.organisation_id == grant["commitment"].beneficiary_id
    with pytest.raises(ValidationError) as excinfo:  # the content is checked, not the name
        expenses.expense_document_attach(
            actor=grant["staff"], line=line, uploaded_file=upload("fattura.pdf", b"not a pdf at all")
        )
    assert "file" in excinfo.value.message_dict
    with pytest.raises(PermissionDenied):
        expenses.expense_document_attach(actor=grant["stranger"], line=line, uploaded_file=upload())
    assert line.documents.count() == 1
    # The comune's staff and the Region see it; another organisation does not.
    assert document in document_visible(user=grant["staff"])
    assert document not in document_visible(user=grant["stranger"])
    client.force_login(grant["staff"])
    response = client.get(reverse("funding:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(grant["stranger"])
    assert client.get(reverse("funding:document_download", args=[document.pk])).status_code == 404
    # Once the report is sent, its lines take no more files.
    expenses.expense_report_submit(actor=grant["staff"], report=report)
    with pytest.raises(ValidationError) as excinfo:
        expenses.expense_document_attach(actor=grant["staff"], line=line, uploaded_file=upload())
    assert line.documents.count() == 1


def test_the_comune_attaches_an_invoice_from_the_report_page(grant, client):
    from tests.funding.factories_calls import upload

    report = expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])
    line = expenses.expense_line_add(actor=grant["staff"], report=report, **line_data())
    client.force_login(grant["staff"])
    page = client.get(reverse("funding:expense_detail", args=[report.pk])).content.decode()
    attach = reverse("funding:expense_line_attach", args=[report.pk, line.pk])
    assert f'action="{attach}"' in page
    response = client.post(attach, {"uploaded_file": upload("fattura-1.pdf")}, follow=True)
    document = line.documents.get()
    assert f'href="{reverse("funding:document_download", args=[document.pk])}"' in response.content.decode()
    assert "fattura-1.pdf" in response.content.decode()


@pytest.mark.parametrize(("net", "vat", "total"), [("100.10", "22.02", "122.12"), ("0.10", "0.20", "0.30")])
def test_an_invoice_total_is_net_plus_vat_to_the_cent(grant, net, vat, total):
    report = expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])
    line = expenses.expense_line_add(
        actor=grant["staff"], report=report, **line_data(net_amount=net, vat_amount=vat, total_amount=total)
    )
    line.refresh_from_db()
    assert line.total_amount == Decimal(total)


@pytest.mark.parametrize("with_application", [False, True])
def test_an_invoice_line_keeps_every_attachment(grant, client, with_application):
    """The invoice and the proof of payment are two files of one line: the second does not replace
    the first (issue 9, item 11)."""
    from tests.funding.factories_calls import upload

    if with_application:
        from funding.choices import AllocationMethod
        from funding.services.allocation import allocation_adopt, allocation_propose
        from tests.funding.factories import make_admitted, make_allocation_call

        call = make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT, amount="1000.00")
        application = make_admitted(call, grant["commitment"].beneficiary, declared_weight=5)
        allocation = allocation_propose(actor=grant["official"], call=call)
        allocation_adopt(actor=grant["official"], allocation=allocation, act_number="1", act_date=TODAY)
        report = expenses.expense_report_create(actor=grant["staff"], application=application)
    else:
        report = expenses.expense_report_create(actor=grant["staff"], commitment=grant["commitment"])
    line = expenses.expense_line_add(actor=grant["staff"], report=report, **line_data())
    client.force_login(grant["staff"])
    attach = reverse("funding:expense_line_attach", args=[report.pk, line.pk])
    client.post(attach, {"uploaded_file": upload("fattura.pdf")})
    response = client.post(attach, {"uploaded_file": upload("quietanza.pdf")}, follow=True)
    assert sorted(line.documents.filter(is_current=True).values_list("original_name", flat=True)) == [
        "fattura.pdf",
        "quietanza.pdf",
    ]
    page = response.content.decode()
    assert "fattura.pdf" in page
    assert "quietanza.pdf" in page
