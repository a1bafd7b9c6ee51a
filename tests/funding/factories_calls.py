"""Factories for calls, applications and documents (built through the services, as users would)."""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from funding.choices import (
    CALL_STATUS_ORDER,
    AllocationMethod,
    ApplicationForm,
    CallStatus,
    DocumentStage,
    DocumentType,
)
from funding.models import Application, Call
from funding.services import applications as app_services
from funding.services import calls as call_services
from funding.services.documents import document_upload
from portal.choices import OrganisationKind, Role
from tests.factories import ComuneFactory, MunicipalityFactory, OrganisationFactory, make_user
from tests.funding.factories import make_reservation

_counter = iter(range(1, 10**6))


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(kind: str = "jpeg", size=(40, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind.upper())
    return buffer.getvalue()


def upload(name: str = "domanda.pdf", data: bytes | None = None, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, pdf_bytes() if data is None else data, content_type=content_type)


def make_call(
    *,
    status: str = CallStatus.PUBLISHED,
    code: str | None = None,
    application_form: str = ApplicationForm.GENERIC,
    eligible_kinds=(OrganisationKind.MUNICIPALITY,),
    eligible_organisations=(),
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    documents=(("domanda", "Domanda firmata", True, [DocumentType.PDF]),),
    report_documents=(),
    allocation_method: str = AllocationMethod.FIXED,
    allocation_params: dict | None = None,
    amount: str = "10000.00",
    reservation=None,
    requires_application: bool = True,
    title: str | None = None,
) -> Call:
    now = timezone.now()
    number = next(_counter)
    reservation = reservation or make_reservation(amount)
    call = call_services.call_create(
        actor=None,
        code=code or f"avviso-{number}",
        action=reservation.action,
        reservation=reservation,
        title=title or f"Avviso di prova {number}",
        text="Testo dell'avviso.",
        legal_references="L.R. 23/2007; DCR 15 dicembre 2020 n. 89-19389",
        allocation_method=allocation_method,
        allocation_params=allocation_params,
        opens_at=opens_at or now - datetime.timedelta(days=1),
        closes_at=closes_at or now + datetime.timedelta(days=10),
        requires_application=requires_application,
        application_form=application_form,
        eligible_kinds=eligible_kinds,
        eligible_organisations=eligible_organisations,
    )
    for code_, name, mandatory, types in documents:
        call_services.required_document_add(
            actor=None, call=call, code=code_, name=name, mandatory=mandatory, accepted_types=types
        )
    for code_, name, mandatory, types in report_documents:
        call_services.required_document_add(
            actor=None,
            call=call,
            code=code_,
            name=name,
            mandatory=mandatory,
            accepted_types=types,
            stage=DocumentStage.REPORT,
        )
    if status != CallStatus.DRAFT:
        publish_at = min(now, call.opens_at) if call.opens_at else now
        call_services.call_publish(actor=None, call=call, now=publish_at)
        order = CALL_STATUS_ORDER
        while order.index(call.status) < order.index(status):
            call_services.call_set_status(
                actor=None, call=call, to_status=order[order.index(call.status) + 1]
            )
    call.refresh_from_db()
    return call


def make_taxi_call(**kwargs) -> Call:
    kwargs.setdefault("application_form", ApplicationForm.TAXI_RECORDER)
    kwargs.setdefault("eligible_kinds", (OrganisationKind.TAXI_LICENSEE,))
    kwargs.setdefault("allocation_method", AllocationMethod.PERCENTAGE_CAPPED)
    kwargs.setdefault("allocation_params", {"percentage": "50", "cap": "1000.00", "ranking": "submitted_at"})
    kwargs.setdefault(
        "documents",
        (
            ("preventivo", "Preventivo di spesa", True, [DocumentType.PDF]),
            (
                "libretto",
                "Carta di circolazione",
                False,
                [DocumentType.PDF, DocumentType.JPEG, DocumentType.PNG],
            ),
        ),
    )
    return make_call(**kwargs)


def make_applicant(organisation=None, **kwargs):
    """(user, organisation): an applicant user of a municipality (or of `organisation`)."""
    organisation = organisation or MunicipalityFactory()
    return make_user(Role.APPLICANT, organisation, **kwargs), organisation


def make_taxi_applicant(licence: str = "TO-0101"):
    organisation = OrganisationFactory(
        kind=OrganisationKind.TAXI_LICENSEE,
        name="Mario Rossi",
        comune=ComuneFactory(),
        licence_number=licence,
    )
    return make_applicant(organisation)


TAXI_DATA = {
    "licence_number": "TO-0101",
    "vehicle_plate": "AB123CD",
    "recorder_make": "Acme",
    "recorder_model": "Rec 2",
    "conformity_standard": "CEI EN 50155",
    "quote_net": Decimal("800.00"),
    "quote_vat": Decimal("176.00"),
}


def make_draft(call: Call, user=None, organisation=None, **data) -> Application:
    if user is None:
        user, organisation = make_applicant(organisation)
    application = app_services.application_create(actor=user, call=call, applicant=organisation)
    if data:
        app_services.application_update(actor=user, application=application, **data)
    return application


def make_submitted(call: Call, user=None, organisation=None, **data) -> Application:
    if user is None:
        user, organisation = make_applicant(organisation)
    application = make_draft(call, user, organisation, **data)
    for required in call.required_documents.filter(stage=DocumentStage.APPLICATION, mandatory=True):
        document_upload(
            actor=user, application=application, required_document=required, uploaded_file=upload()
        )
    return app_services.application_submit(actor=user, application=application)
