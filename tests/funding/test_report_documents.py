"""The documents of the reporting stage (issue 9, item 1): a taxi licensee uploads the paid invoice and
the installation certificate the call asks for with the expense report, from the report's page and from
the application's page, and can then submit the report; while the Region verifies it they are frozen."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from funding.choices import ApplicationStatus, CallStatus, DocumentType, ExpenseReportStatus
from funding.models import Document, ExpenseReport
from funding.services import applications as app_services
from funding.services import calls as call_services
from funding.services.allocation import allocation_adopt, allocation_propose
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import make_user
from tests.funding.factories_calls import (
    TAXI_DATA,
    make_applicant,
    make_submitted,
    make_taxi_applicant,
    make_taxi_call,
    upload,
)

pytestmark = pytest.mark.django_db

REPORT_DOCUMENTS = (
    ("fattura", "Fattura quietanzata", True, [DocumentType.PDF]),
    ("installazione", "Certificato di installazione", True, [DocumentType.PDF]),
)
TODAY = timezone.localdate()


@pytest.fixture
def granted():
    """A taxi licensee's application, granted by an adopted allocation."""
    call = make_taxi_call(report_documents=REPORT_DOCUMENTS)
    user, licensee = make_taxi_applicant()
    application = make_submitted(call, user, licensee, **TAXI_DATA)
    official = make_user(Role.REGIONAL_OFFICIAL)
    app_services.application_review(actor=official, application=application, admissible=True)
    call_services.call_set_status(actor=None, call=call, to_status=CallStatus.CLOSED)
    allocation = allocation_propose(actor=official, call=call)
    allocation_adopt(actor=official, allocation=allocation, act_number="10/2021", act_date=TODAY)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.GRANTED
    return {"application": application, "user": user, "official": official, "call": call}


def open_report(client, granted) -> ExpenseReport:
    client.force_login(granted["user"])
    response = client.post(reverse("funding:expense_create"), {"application": granted["application"].pk})
    assert response.status_code == 302
    report = ExpenseReport.objects.get(application=granted["application"])
    client.post(
        reverse("funding:expense_detail", args=[report.pk]),
        {
            "supplier_name": "Taxi Tech S.r.l.",
            "supplier_vat_number": "00743110157",
            "invoice_number": "F-88",
            "invoice_date": (TODAY - datetime.timedelta(days=3)).isoformat(),
            "description": "Registratore di dati di evento, installazione compresa",
            "net_amount": "800.00",
            "vat_amount": "176.00",
            "total_amount": "976.00",
        },
    )
    assert report.lines.count() == 1
    return report


def test_the_licensee_uploads_the_report_documents_on_the_report_page_and_submits(client, granted):
    report = open_report(client, granted)
    url = reverse("funding:expense_detail", args=[report.pk])
    action = reverse("funding:expense_document_upload", args=[report.pk])
    page = client.get(url).content.decode()
    assert "Fattura quietanzata" in page
    assert "Certificato di installazione" in page
    assert f'action="{action}"' in page
    # Without them the report is refused, naming them.
    response = client.post(reverse("funding:expense_submit", args=[report.pk]), follow=True)
    assert "Fattura quietanzata" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ExpenseReportStatus.DRAFT
    for required in granted["call"].required_documents.filter(stage="report"):
        response = client.post(
            action, {"required_document": required.pk, "file": upload(f"{required.code}.pdf")}
        )
        assert response.status_code == 302, response.content.decode()
    page = client.get(url).content.decode()
    for required in granted["call"].required_documents.filter(stage="report"):
        document = Document.objects.get(required_document=required, is_current=True)
        assert f'href="{reverse("funding:document_download", args=[document.pk])}"' in page
    response = client.post(reverse("funding:expense_submit", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ExpenseReportStatus.SUBMITTED
    # While the Region verifies the report its documents stay as they were sent.
    page = client.get(url).content.decode()
    assert f'action="{action}"' not in page
    required = granted["call"].required_documents.get(code="fattura")
    before = (Document.objects.count(), AuditEvent.objects.count())
    response = client.post(action, {"required_document": required.pk, "file": upload("altra.pdf")})
    assert response.status_code == 400
    assert "verifica" in response.content.decode() or "verification" in response.content.decode()
    assert (Document.objects.count(), AuditEvent.objects.count()) == before


def test_the_application_page_offers_the_report_documents_once_granted(client, granted):
    application = granted["application"]
    client.force_login(granted["user"])
    page = client.get(reverse("funding:application_detail", args=[application.pk])).content.decode()
    required = granted["call"].required_documents.get(code="installazione")
    assert f'name="required_document" value="{required.pk}"' in page
    response = client.post(
        reverse("funding:document_upload", args=[application.pk]),
        {"required_document": required.pk, "file": upload("certificato.pdf")},
    )
    assert response.status_code == 302
    assert Document.objects.filter(required_document=required, application=application).exists()


def test_a_refused_report_document_shows_the_error_on_its_field(client, granted):
    report = open_report(client, granted)
    required = granted["call"].required_documents.get(code="fattura")
    before = (Document.objects.count(), AuditEvent.objects.count())
    response = client.post(
        reverse("funding:expense_document_upload", args=[report.pk]),
        {"required_document": required.pk, "file": upload("fattura.png", b"\x89PNG\r\n\x1a\nnot really")},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="file-{required.pk}-errors"' in page
    assert "Fattura quietanzata" in page
    assert (Document.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("who", ["other_applicant", "official", "auditor"])
def test_only_the_beneficiary_uploads_report_documents(client, granted, who):
    report = open_report(client, granted)
    actor = {
        "other_applicant": make_applicant()[0],
        "official": granted["official"],
        "auditor": make_user(Role.AUDITOR),
    }[who]
    client.force_login(actor)
    required = granted["call"].required_documents.get(code="fattura")
    before = (Document.objects.count(), AuditEvent.objects.count())
    response = client.post(
        reverse("funding:expense_document_upload", args=[report.pk]),
        {"required_document": required.pk, "file": upload()},
    )
    assert response.status_code in (403, 404)
    assert (Document.objects.count(), AuditEvent.objects.count()) == before


def test_once_liquidated_the_report_documents_are_frozen(client, granted):
    from funding.services import expenses

    report = open_report(client, granted)
    action = reverse("funding:expense_document_upload", args=[report.pk])
    for required in granted["call"].required_documents.filter(stage="report"):
        client.post(action, {"required_document": required.pk, "file": upload(f"{required.code}.pdf")})
    client.post(reverse("funding:expense_submit", args=[report.pk]))
    official = granted["official"]
    for line in report.lines.all():
        expenses.expense_line_set_eligibility(actor=official, line=line, eligible=True)
    expenses.expense_report_verify(actor=official, report=report, act_number="20/2021", act_date=TODAY)
    application = granted["application"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.LIQUIDATED
    page = client.get(reverse("funding:application_detail", args=[application.pk])).content.decode()
    required = granted["call"].required_documents.get(code="fattura")
    assert f'name="required_document" value="{required.pk}"' not in page
    before = (Document.objects.count(), AuditEvent.objects.count())
    response = client.post(
        reverse("funding:document_upload", args=[application.pk]),
        {"required_document": required.pk, "file": upload("tardiva.pdf")},
    )
    assert response.status_code == 400
    assert "Il contributo è chiuso" in response.content.decode()
    assert (Document.objects.count(), AuditEvent.objects.count()) == before
