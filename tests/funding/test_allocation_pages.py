"""Allocation and expense-report pages: who may see and do what (anonymous, other organisation,
wrong role, right role); a denied request changes nothing; what the pages show."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from funding.choices import (
    AllocationMethod,
    AllocationStatus,
    ApplicationStatus,
    CallStatus,
    ExpenseReportStatus,
)
from funding.models import Allocation, Call, Commitment, Economy, ExpenseLine, ExpenseReport, Liquidation
from funding.services import allocation as services
from funding.services import expenses
from funding.services.workflow import application_transition
from portal.choices import Role
from portal.formatting import format_money
from portal.models import AuditEvent
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import make_admitted, make_allocation_call, make_commitment

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LINE = {
    "supplier_name": "Forniture Sicurezza S.r.l.",
    "supplier_vat_number": "00743110157",
    "invoice_number": "FT-1",
    "invoice_date": "2021-03-01",
    "description": "Body-cam",
    "net_amount": "1000.00",
    "vat_amount": "220.00",
    "total_amount": "1220.00",
}


def snapshot():
    return tuple(
        m.objects.count()
        for m in (Allocation, Commitment, ExpenseReport, ExpenseLine, Liquidation, Economy, AuditEvent)
    )


@pytest.fixture
def world():
    beneficiary = OrganisationFactory(name="Comune di Prova")
    call = make_allocation_call(method=AllocationMethod.DECLARED_WEIGHT, amount="1000.00", title="Body-cam")
    apps = [make_admitted(call, beneficiary, declared_weight=3), make_admitted(call, declared_weight=1)]
    official = make_user(Role.REGIONAL_OFFICIAL)
    allocation = services.allocation_propose(actor=official, call=call)
    commitment = make_commitment("2000.00", beneficiary=beneficiary)
    staff = make_user(Role.APPLICANT, beneficiary)
    report = expenses.expense_report_create(actor=staff, commitment=commitment)
    line = expenses.expense_line_add(
        actor=staff, report=report, **{**LINE, "invoice_date": datetime.date(2021, 3, 1)}
    )
    return {
        "call": call,
        "apps": apps,
        "allocation": allocation,
        "commitment": commitment,
        "report": report,
        "line": line,
        "official": official,
        "auditor": make_user(Role.AUDITOR),
        "staff": staff,
        "stranger": make_user(Role.APPLICANT),
    }


def as_(client, world, who):
    if who != "anonymous":
        client.force_login(world[who])
    return client


def official_pages(world):
    allocation, call = world["allocation"], world["call"]
    return [
        reverse("funding:allocation_list"),
        reverse("funding:allocation_detail", args=[allocation.pk]),
        reverse("funding:call_allocation", args=[call.pk]),
    ]


def official_actions(world):
    allocation, call = world["allocation"], world["call"]
    act = {"act_number": "1", "act_date": TODAY.isoformat()}
    return [
        (reverse("funding:allocation_adopt", args=[allocation.pk]), {**act, "confirmed": "1"}),
        (reverse("funding:call_allocation_propose", args=[call.pk]), {}),
        (reverse("funding:call_allocation_rerank", args=[call.pk]), {}),
        (reverse("funding:call_close_out", args=[call.pk]), {}),
        (reverse("funding:grant_cancel", args=[world["apps"][0].pk]), {**act, "reason": "x"}),
        (reverse("funding:grant_close", args=[world["commitment"].pk]), act),
    ]


@pytest.mark.parametrize(
    ("who", "read"), [("anonymous", 302), ("staff", 403), ("stranger", 403), ("auditor", 200)]
)
def test_allocation_pages_matrix(client, world, who, read):
    as_(client, world, who)
    before = snapshot()
    for url in official_pages(world):
        response = client.get(url)
        assert response.status_code == read, url
        if who == "anonymous":
            assert response["Location"].startswith(reverse("account_login"))
    for url, data in official_actions(world):
        response = client.post(url, data)
        assert response.status_code == (302 if who == "anonymous" else 403), url
        if who == "anonymous":
            assert response["Location"].startswith(reverse("account_login"))
    assert snapshot() == before


def test_proposal_page_shows_rows_totals_rule_and_inputs(client, world):
    as_(client, world, "official")
    page = client.get(reverse("funding:allocation_detail", args=[world["allocation"].pk])).content.decode()
    assert "Comune di Prova" in page
    assert "750,00" in page
    assert "1.000,00" in page
    assert "Peso 3 su 4" in page or "Weight 3 of 4" in page
    assert reverse("funding:allocation_adopt", args=[world["allocation"].pk]) in page
    found = client.get(reverse("funding:allocation_detail", args=[world["allocation"].pk]), {"q": "prova"})
    assert found.content.decode().count("Comune di Prova") >= 2  # the card and the table row


def test_official_adopts_through_the_page_after_seeing_the_effect(client, world):
    as_(client, world, "official")
    url = reverse("funding:allocation_adopt", args=[world["allocation"].pk])
    page = client.get(url).content.decode()
    assert "1.000,00" in page
    assert 'data-testid="available-after">€ 0,00' in page
    refused = client.post(url, {"act_number": "", "act_date": TODAY.isoformat()})
    assert refused.status_code == 200
    assert not Commitment.objects.filter(reservation=world["call"].reservation).exists()
    response = client.post(url, {"act_number": "77/2020", "act_date": TODAY.isoformat(), "confirmed": "1"})
    assert response.status_code == 302
    world["allocation"].refresh_from_db()
    assert world["allocation"].status == AllocationStatus.ADOPTED
    assert Commitment.objects.filter(reservation=world["call"].reservation).count() == 2


def test_grant_cancellation_and_scorrimento_pages(client, world):
    official = world["official"]
    call = make_allocation_call(
        method=AllocationMethod.PERCENTAGE_CAPPED,
        amount="1000.00",
        params={"percentage": "50", "cap": "1000.00", "allow_partial_last": True},
        eligible_basis="net",
    )
    first = make_admitted(call, quote_net="2000.00")
    second = make_admitted(call, quote_net="2000.00")
    allocation = services.allocation_propose(actor=official, call=call)
    services.allocation_adopt(actor=official, allocation=allocation, act_number="1", act_date=TODAY)
    application_transition(actor=None, application=first, to_status=ApplicationStatus.WITHDRAWN)
    as_(client, world, "official")
    page = client.get(reverse("funding:call_allocation", args=[call.pk])).content.decode()
    assert reverse("funding:grant_cancel", args=[first.pk]) in page
    response = client.post(
        reverse("funding:grant_cancel", args=[first.pk]),
        {"act_number": "2", "act_date": TODAY.isoformat()},
    )
    assert response.status_code == 302
    page = client.get(reverse("funding:call_allocation", args=[call.pk])).content.decode()
    assert reverse("funding:call_allocation_rerank", args=[call.pk]) in page
    response = client.post(reverse("funding:call_allocation_rerank", args=[call.pk]))
    assert response.status_code == 302
    second_round = Allocation.objects.get(call=call, round=2)
    row = second_round.rows.get(application=second)
    assert row.amount == 1000
    # The second round's page shows what each row requested and had already been granted, in the table
    # and in the list of small screens.
    page = client.get(reverse("funding:allocation_detail", args=[second_round.pk])).content.decode()
    assert page.count("Già concesso") == 2  # the table's heading, the list item
    assert page.count(second.protocol_number) == 2
    assert page.count(format_money(row.requested)) >= 2
    assert page.count(format_money(row.granted_before)) >= 2


# --- Expense reports ---------------------------------------------------------------------------------
def report_urls(world):
    report, line = world["report"], world["line"]
    return {
        "detail": reverse("funding:expense_detail", args=[report.pk]),
        "submit": reverse("funding:expense_submit", args=[report.pk]),
        "remove": reverse("funding:expense_line_remove", args=[report.pk, line.pk]),
        "verify": reverse("funding:expense_verify", args=[report.pk]),
    }


@pytest.mark.parametrize(
    ("who", "detail", "write", "verify"),
    [
        ("anonymous", 302, 302, 302),
        ("stranger", 404, 404, 403),
        ("auditor", 200, 403, 403),
        ("official", 200, 403, 200),
        ("staff", 200, 302, 403),
    ],
)
def test_expense_pages_matrix(client, world, who, detail, write, verify):
    urls = report_urls(world)
    as_(client, world, who)
    assert client.get(reverse("funding:expense_list")).status_code == (302 if who == "anonymous" else 200)
    assert client.get(urls["detail"]).status_code == detail
    assert client.get(urls["verify"]).status_code == verify
    before = snapshot()
    response = client.post(urls["detail"], {**LINE, "invoice_number": "FT-2"})
    assert response.status_code == write
    if who != "staff":
        assert snapshot() == before
    else:
        assert ExpenseLine.objects.filter(invoice_number="FT-2").exists()


def test_only_the_beneficiary_opens_a_report(client, world):
    other = make_commitment("500.00", beneficiary=world["commitment"].beneficiary)
    for who, status in (("stranger", 403), ("auditor", 403), ("official", 403)):
        as_(client, world, who)
        before = snapshot()
        response = client.post(reverse("funding:expense_create"), {"commitment": other.pk})
        assert response.status_code == status
        assert snapshot()[2:4] == before[2:4]
    as_(client, world, "staff")
    response = client.post(reverse("funding:expense_create"), {"commitment": other.pk, "is_final": "0"})
    assert response.status_code == 302
    assert ExpenseReport.objects.filter(commitment=other, is_final=False).exists()


def test_wrong_invoice_is_shown_on_its_fields(client, world):
    as_(client, world, "staff")
    response = client.post(
        reverse("funding:expense_detail", args=[world["report"].pk]),
        {**LINE, "invoice_number": "FT-2", "supplier_vat_number": "00743110158", "total_amount": "1.00"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"supplier_vat_number", "total_amount"}
    assert ExpenseLine.objects.count() == 1


def test_submit_verify_and_liquidate_through_the_pages(client, world):
    urls = report_urls(world)
    as_(client, world, "staff")
    assert client.post(urls["submit"]).status_code == 302
    as_(client, world, "official")
    page = client.get(urls["verify"]).content.decode()
    assert "1.220,00" in page
    prefix = f"line-{world['line'].pk}"
    missing_reason = client.post(urls["verify"], {"step": "decide", f"{prefix}-eligible": "0"})
    assert missing_reason.status_code == 200
    assert str(expenses.ERROR_REASON_REQUIRED) in missing_reason.content.decode()
    assert client.post(urls["verify"], {"step": "decide", f"{prefix}-eligible": "1"}).status_code == 302
    page = client.get(urls["verify"]).content.decode()
    assert 'data-testid="payable">€ 1.220,00' in page
    response = client.post(
        urls["verify"], {"step": "verify", "act_number": "9", "act_date": TODAY.isoformat()}
    )
    assert response.status_code == 302
    world["report"].refresh_from_db()
    assert world["report"].status == ExpenseReportStatus.VERIFIED
    assert world["report"].liquidation.amount == 1220


def test_a_closed_out_call_offers_no_scorrimento_even_with_money_freed(client, world):
    """The page used to restate the service's rules without the closed-out check: it offered a
    scorrimento that allocation_rerank then refused. The page now asks the service's predicate."""
    official = world["official"]
    call = make_allocation_call(
        method=AllocationMethod.PERCENTAGE_CAPPED,
        amount="1000.00",
        params={"percentage": "50", "cap": "1000.00", "allow_partial_last": True},
        eligible_basis="net",
    )
    first = make_admitted(call, quote_net="2000.00")
    make_admitted(call, quote_net="2000.00")
    allocation = services.allocation_propose(actor=official, call=call)
    services.allocation_adopt(actor=official, allocation=allocation, act_number="1/2026", act_date=TODAY)
    application_transition(actor=None, application=first, to_status=ApplicationStatus.WITHDRAWN)
    services.grant_cancel(actor=official, application=first, act_number="2/2026", act_date=TODAY)
    call.refresh_from_db()
    assert call.reservation.available > 0  # money freed by the cancelled grant
    Call.objects.filter(pk=call.pk).update(status=CallStatus.CLOSED_OUT)
    call.refresh_from_db()
    assert not services.may_rerank(user=official, call=call, has_adopted=True, available=Decimal("500"))
    with pytest.raises(ValidationError):
        services.allocation_rerank(actor=official, call=call)
    as_(client, world, "official")
    page = client.get(reverse("funding:call_allocation", args=[call.pk])).content.decode()
    assert reverse("funding:call_allocation_rerank", args=[call.pk]) not in page
    assert reverse("funding:call_allocation_propose", args=[call.pk]) not in page


def test_the_decisions_on_a_report_are_saved_together_or_not_at_all(client, world):
    """Issue 10, item 8: the page used to save each line's decision on its own, so a refused one left
    the others half-saved; expense_lines_decide saves all of them in one transaction, or none."""
    second = expenses.expense_line_add(
        actor=world["staff"],
        report=world["report"],
        **{**LINE, "invoice_number": "FT-2", "invoice_date": datetime.date(2021, 3, 2)},
    )
    urls = report_urls(world)
    as_(client, world, "staff")
    assert client.post(urls["submit"]).status_code == 302
    as_(client, world, "official")
    before = snapshot()
    first, other = f"line-{world['line'].pk}", f"line-{second.pk}"
    response = client.post(
        urls["verify"], {"step": "decide", f"{first}-eligible": "1", f"{other}-eligible": "0"}
    )
    assert response.status_code == 200
    assert str(expenses.ERROR_REASON_REQUIRED) in response.content.decode()
    assert snapshot() == before  # no audit event either
    assert list(ExpenseLine.objects.order_by("pk").values_list("eligible", flat=True)) == [None, None]
    response = client.post(
        urls["verify"],
        {
            "step": "decide",
            f"{first}-eligible": "1",
            f"{other}-eligible": "0",
            f"{other}-reason": "Fuori periodo",
        },
    )
    assert response.status_code == 302
    assert list(ExpenseLine.objects.order_by("pk").values_list("eligible", flat=True)) == [True, False]
