"""Both pilots to liquidation in Chromium, through the HTML pages only (issue 9, item 1): a taxi
licensee and a body-cam beneficiary (a comune's police command) apply, upload their documents and
submit; the official reviews, closes the call, computes and adopts the allocation, publishes the
grant that needs it, verifies the expense report and liquidates it. The beneficiaries upload the
documents of the reporting stage ("Fattura quietanzata", "Certificato di installazione", the body-cams'
invoice) on the expense report's page. The new pages pass axe (WCAG 2.1 AA); screenshots in /tmp."""

import datetime
import os
import re
import tempfile
from decimal import Decimal

import pytest
from django.utils import timezone

from funding.choices import (
    AllocationMethod,
    ApplicationForm,
    ApplicationStatus,
    DocumentType,
    EligibleBasis,
    ExpenseReportStatus,
)
from funding.models import Application, Commitment, ExpenseReport, Liquidation
from portal.choices import Role
from tests.browser.test_accessibility import assert_accessible, log_in, submit
from tests.factories import MunicipalityFactory, OrganisationFactory, make_user
from tests.funding.factories import make_reservation
from tests.funding.factories_calls import make_call, make_taxi_applicant, make_taxi_call, pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)

VAT = "00743110157"
SHOTS = os.path.join(tempfile.gettempdir(), "sentinella-pilots")


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def new_page(browser, live_server):
    context = browser.new_context(locale="it-IT", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.base_url = live_server.url
    return page


def pdf_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(pdf_bytes())
    return str(path)


def upload_required(page, tmp_path, name):
    """Upload a PDF for the required document labelled `name` (the row's own form)."""
    row = page.locator("li.row", has_text=name)
    row.locator("input[type=file]").set_input_files(pdf_file(tmp_path, re.sub(r"\W+", "-", name) + ".pdf"))
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert "Documento caricato" in page.content(), page.locator("main").inner_text()


def submit_confirmed(page, selector):
    """Post a form whose action cannot be undone, then confirm it on the confirmation page (item 20)."""
    submit(page, selector)
    confirm = page.locator("main form:has(input[name=confirmed]) button[type=submit]")
    assert confirm.count() == 1, page.locator("main").inner_text()
    assert "non può essere annullat" in page.locator("[data-testid=irreversible]").inner_text()
    submit(page, "main form:has(input[name=confirmed]) button[type=submit]")


def apply(page, call, tmp_path, data: dict, documents: list[str]) -> Application:
    page.goto(f"{page.base_url}/funding/calls/{call.code}/")
    submit(page, f"form[action$='/calls/{call.code}/apply/'] button[type=submit]")
    for name, value in data.items():
        page.fill(f"[name={name}]", value)
    submit(page, "main form button[type=submit]")
    for name in documents:
        upload_required(page, tmp_path, name)
    submit_confirmed(page, "form[action$='/submit/'] button[type=submit]")
    assert "protocollo" in page.content().lower()
    return Application.objects.get(call=call)


def official_grants(page, call, application, *, publish: str | None = None):
    """Review, close the call, compute and adopt the allocation; publish the grant if it must be."""
    page.goto(f"{page.base_url}/funding/applications/{application.pk}/review/")
    page.check("input[name=admissible][value='1']", force=True)  # the label covers the styled radio
    submit(page, "main form button[type=submit]")
    page.goto(f"{page.base_url}/funding/calls/manage/{call.code}/")
    submit_confirmed(page, f"form[action$='/calls/manage/{call.code}/close/'] button[type=submit]")
    page.goto(f"{page.base_url}/funding/allocations/call/{call.pk}/")
    submit(page, "form[action$='/propose/'] button[type=submit]")
    page.click("a[href$='/adopt/']")
    page.wait_for_selector("input[name=act_number]")
    page.fill("input[name=act_number]", "41/2021")
    page.fill("input[name=act_date]", timezone.localdate().isoformat())
    submit_confirmed(page, "main form button[type=submit]")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.GRANTED, page.locator("main").inner_text()
    if publish:
        page.goto(f"{page.base_url}/funding/transparency/publish/")
        assert page.locator("input[name=grant]:checked").count() == 0
        page.check(f"input[name=grant][value='{application.commitment_id}']", force=True)
        submit(page, "main form button[type=submit]")
        summary = page.locator("[data-testid=publish-summary]").inner_text()
        assert "1 contributo" in summary
        assert publish in page.locator("main").inner_text()
        assert_accessible(page)
        shot(page, "publish-confirm")
        submit(page, "main form button[type=submit]")
        assert "1 contributo pubblicato" in page.content()


def beneficiary_reports(page, tmp_path, invoice: dict, documents: list[str]) -> int:
    page.goto(f"{page.base_url}/funding/expenses/")
    submit(page, "form[action$='/expenses/new/'] button[type=submit]")
    for name, value in invoice.items():
        page.fill(f"[name={name}]", value)
    submit(page, "section[aria-labelledby=add-heading] form button[type=submit]")
    assert "Fattura aggiunta" in page.content(), page.locator("main").inner_text()
    # The report page offers the documents of the reporting stage; without them it cannot be sent.
    for name in documents:
        assert name in page.locator("section[aria-labelledby=report-documents-heading]").inner_text()
    assert_accessible(page)
    shot(page, f"report-{documents[0][:10]}")
    for name in documents:
        upload_required(page, tmp_path, name)
    submit(page, "form[action$='/submit/'] button[type=submit]")
    report_pk = int(page.url.rstrip("/").split("/")[-1])
    assert ExpenseReport.objects.get(pk=report_pk).status == ExpenseReportStatus.SUBMITTED
    return report_pk


def official_liquidates(page, report_pk: int) -> None:
    page.goto(f"{page.base_url}/funding/expenses/{report_pk}/verify/")
    for radio in page.locator("input[type=radio][value='1']").all():
        radio.check(force=True)
    submit(page, "form:has(input[name=step][value=decide]) button[type=submit]")
    page.fill("input[name=act_number]", "77/2021")
    page.fill("input[name=act_date]", timezone.localdate().isoformat())
    submit(page, "form:has(input[name=step][value=verify]) button[type=submit]")
    report = ExpenseReport.objects.get(pk=report_pk)
    assert report.status == ExpenseReportStatus.VERIFIED, page.locator("main").inner_text()
    assert page.locator("[data-testid=report-status]").inner_text() == report.get_status_display()


def invoice(number: str, description: str, net: str, vat: str, total: str) -> dict:
    return {
        "supplier_name": "Forniture Sicurezza S.r.l.",
        "supplier_vat_number": VAT,
        "invoice_number": number,
        "invoice_date": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "description": description,
        "net_amount": net,
        "vat_amount": vat,
        "total_amount": total,
    }


def test_taxi_licensee_and_bodycam_beneficiary_reach_liquidation(page, browser, live_server, tmp_path):
    region = OrganisationFactory(name="Regione Piemonte")
    official_user = make_user(Role.REGIONAL_OFFICIAL, region)
    taxi_user, _licensee = make_taxi_applicant("TO-0101")
    torino = MunicipalityFactory(name="Comune di Torino")
    command_user = make_user(Role.APPLICANT, torino)
    taxi_call = make_taxi_call(
        allocation_params={"percentage": "70", "cap": "1500.00", "ranking": "submitted_at"},
        reservation=make_reservation("300000.00"),
        documents=(("preventivo", "Preventivo di spesa", True, [DocumentType.PDF]),),
        report_documents=(
            ("fattura", "Fattura quietanzata", True, [DocumentType.PDF]),
            ("installazione", "Certificato di installazione", True, [DocumentType.PDF]),
        ),
    )
    taxi_call.eligible_basis = EligibleBasis.NET  # as the real call: a share of the expense net of VAT
    taxi_call.save(update_fields=["eligible_basis"])
    bodycam_call = make_call(
        application_form=ApplicationForm.DECLARED_WEIGHT,
        eligible_kinds=(),
        eligible_organisations=[torino],
        allocation_method=AllocationMethod.DECLARED_WEIGHT,
        reservation=make_reservation("20000.00"),
        documents=(("dichiarazione", "Dichiarazione del comandante", False, [DocumentType.PDF]),),
        report_documents=(("fattura", "Fattura di acquisto delle Body-Cam", True, [DocumentType.PDF]),),
    )
    official = new_page(browser, live_server)
    log_in(official, official_user.email, totp=True)

    # --- The taxi licensee --------------------------------------------------------------------------
    log_in(page, taxi_user.email)
    taxi_app = apply(
        page,
        taxi_call,
        tmp_path,
        {
            "licence_number": "TO-0101",
            "vehicle_plate": "AB123CD",
            "recorder_make": "Acme",
            "recorder_model": "Rec 2",
            "conformity_standard": "CEI EN 50498",
            "quote_net": "1000",
            "quote_vat": "220",
        },
        ["Preventivo di spesa"],
    )
    # 70% of the net 1,000.00: under €1,000, nothing to publish.
    official_grants(official, taxi_call, taxi_app)
    assert taxi_app.granted_amount == Decimal("700.00")
    report = beneficiary_reports(
        page,
        tmp_path,
        invoice("F-88", "Registratore di dati di evento, installato", "1000.00", "220.00", "1220.00"),
        ["Fattura quietanzata", "Certificato di installazione"],
    )
    official_liquidates(official, report)
    shot(official, "taxi-liquidated")
    taxi_app.refresh_from_db()
    assert taxi_app.status == ApplicationStatus.LIQUIDATED
    assert Liquidation.objects.get(commitment_id=taxi_app.commitment_id).amount == Decimal("700.00")
    page.goto(f"{page.base_url}/funding/applications/{taxi_app.pk}/")
    assert "Liquidata" in page.locator("main").inner_text()

    # --- The body-cam beneficiary ------------------------------------------------------------------
    page.click("button:has-text('Esci')")
    log_in(page, command_user.email)
    bodycam_app = apply(
        page, bodycam_call, tmp_path, {"declared_weight": "120"}, ["Dichiarazione del comandante"]
    )
    official_grants(official, bodycam_call, bodycam_app, publish="Comune di Torino")
    assert bodycam_app.granted_amount == Decimal("20000.00")
    report = beneficiary_reports(
        page,
        tmp_path,
        invoice("BC-1", "120 body-cam con stazioni di ricarica", "16000.00", "3520.00", "19520.00"),
        ["Fattura di acquisto delle Body-Cam"],
    )
    official_liquidates(official, report)
    shot(official, "bodycam-liquidated")
    bodycam_app.refresh_from_db()
    assert bodycam_app.status == ApplicationStatus.LIQUIDATED
    commitment = Commitment.objects.get(pk=bodycam_app.commitment_id)
    assert (commitment.liquidated_total, commitment.economies_total) == (
        Decimal("19520.00"),
        Decimal("480.00"),
    )
