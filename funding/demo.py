"""Demo data for funding: the real 2020-2022 programme (DCR 89-19389) with every figure of the act,
and its three pilots in telling states, built through the services so the audit trail tells the story:

- the COVID-19 split of 499,999.88 € over the 1,181 comuni by population at 1 January 2022,
  proposed and ready to be adopted;
- the body-cam call, closed, with the applications of the 8 provincial capitals, the Città
  metropolitana and the provinces (officers in service) admitted, and the proposal computed;
- the taxi call, open until two months from today, with applications from the demo licensees.

Idempotent: what exists is left as it is.
"""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify

from funding.choices import (
    AllocationMethod,
    AllocationStatus,
    ApplicationForm,
    CallStatus,
    DocumentStage,
    DocumentType,
    EligibleBasis,
)
from funding.models import Action, Allocation, Application, BudgetChapter, Call, Reservation
from funding.services import applications, calls
from funding.services.allocation import allocation_propose
from funding.services.documents import document_upload
from funding.services.programme import programme_load
from portal import services
from portal.choices import OrganisationKind, Role
from portal.demo import DEMO_DOMAIN, seed_organisations
from portal.formatting import format_money
from portal.models import Membership, Organisation, User

OFFICE = "Settore Polizia locale e sicurezza integrata"
OFFICIAL = "Dirigente del Settore"
LEGAL = "L.R. 10 dicembre 2007, n. 23; DCR 15 dicembre 2020, n. 89-19389"
POPULATION_DATE = datetime.date(2022, 1, 1)
TZ = datetime.UTC

# Officers in service declared by each body of the body-cam pilot (plausible figures for the demo).
BODYCAM_OFFICERS = {
    "comune:001272": 1650,  # Torino
    "comune:006003": 118,  # Alessandria
    "comune:005005": 74,  # Asti
    "comune:096004": 52,  # Biella
    "comune:004078": 69,  # Cuneo
    "comune:003106": 128,  # Novara
    "comune:103072": 41,  # Verbania
    "comune:002158": 63,  # Vercelli
    "metro": 104,
    "province:AL": 24,
    "province:AT": 14,
    "province:BI": 9,
    "province:CN": 33,
    "province:NO": 19,
    "province:VB": 13,
    "province:VC": 11,
}
# Demo taxi licensees' applications: (licence, plate, make, model, quote net, VAT, submitted).
TAXI_APPLICATIONS = [
    ("TO-0202", "FG482KL", "Dashcam Pro", "DR-900 Taxi", Decimal("1890.00"), Decimal("415.80"), True),
    ("TO-0303", "GA117TT", "Autovision", "EventBox 2", Decimal("2350.00"), Decimal("517.00"), True),
    ("TO-0404", "FL903ZX", "Dashcam Pro", "DR-700", Decimal("1420.00"), Decimal("312.40"), True),
    ("TO-0101", "GB254MR", "Autovision", "EventBox 2", Decimal("2100.00"), Decimal("462.00"), False),
]


def _action(axis: int, number: int, programme) -> Action:
    return Action.objects.get(axis__programme=programme, axis__number=axis, number=number)


def _reservation(action: Action, amount: str) -> Reservation:
    return Reservation.objects.get(action=action, amount=Decimal(amount))


def _organisations() -> dict[str, Organisation]:
    return seed_organisations()


def _calls():
    return calls


def _create_call(**fields) -> Call:
    existing = Call.objects.filter(code=fields["code"]).first()
    if existing is not None:
        return existing
    documents = fields.pop("documents", ())
    publish_at = fields.pop("publish_at", None)
    close_at = fields.pop("close_at", None)
    calls = _calls()
    call = calls.call_create(
        actor=None,
        legal_references=LEGAL,
        responsible_office=OFFICE,
        responsible_official=OFFICIAL,
        **fields,
    )
    for code, name, mandatory, types, stage in documents:
        calls.required_document_add(
            actor=None,
            call=call,
            code=code,
            name=name,
            mandatory=mandatory,
            accepted_types=types,
            stage=stage,
        )
    if publish_at is not None:
        calls.call_publish(actor=None, call=call, now=publish_at)
    if close_at is not None:
        calls.call_close(actor=None, call=call, now=close_at)
    call.refresh_from_db()
    return call


def pdf_document(title: str) -> bytes:
    """A one-page PDF with a line of text, written by hand (no renderer needed for demo uploads)."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _staff(organisation: Organisation) -> User:
    """Someone who acts for the organisation: its demo account if it has one, else a staff account
    with no usable password (nobody logs in with it; it makes the audit trail name a person)."""
    membership = (
        Membership.objects.filter(organisation=organisation, role=Role.APPLICANT, is_active=True)
        .select_related("user")
        .first()
    )
    if membership is not None:
        return membership.user
    slug = slugify(organisation.licence_number or organisation.name)[:40]
    user, created = User.objects.get_or_create(
        email=f"staff.{slug}@{DEMO_DOMAIN}",
        defaults={"first_name": "Staff", "last_name": organisation.name[:100]},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    services.membership_set_role(actor=None, user=user, organisation=organisation, role=Role.APPLICANT)
    return user


def demo_official() -> User:
    return User.objects.get(email=f"funzionario@{DEMO_DOMAIN}")


def _apply(call: Call, applicant: Organisation, *, at=None, admit=False, **data) -> Application:
    """The application as its applicant sends it (data, documents, submission at `at`) and, with
    admit=True, the official's review: all through the services, so the audit trail tells it."""
    existing = Application.objects.filter(call=call, applicant=applicant).first()
    if existing is not None:
        return existing
    staff = _staff(applicant)
    created_at = at - datetime.timedelta(hours=2) if at else None
    application = applications.application_create(actor=staff, call=call, applicant=applicant, now=created_at)
    application = applications.application_update(actor=staff, application=application, **data)
    if at is None:
        return application
    for required in call.required_documents.filter(stage=DocumentStage.APPLICATION):
        name = f"{required.code}.pdf"
        document_upload(
            actor=staff,
            application=application,
            required_document=required,
            uploaded_file=SimpleUploadedFile(
                name, pdf_document(f"{required.name} - {applicant.name}"), content_type="application/pdf"
            ),
        )
    application = applications.application_submit(actor=staff, application=application, now=at)
    if admit:
        application = applications.application_review(
            actor=demo_official(),
            application=application,
            admissible=True,
            notes="Dichiarazione completa e coerente con la dotazione organica.",
        )
    return application


def _propose(call: Call) -> Allocation:
    current = call.allocations.exclude(status=AllocationStatus.SUPERSEDED).first()
    return current or allocation_propose(actor=None, call=call)


def seed_covid(programme) -> Call:
    action = _action(1, 1, programme)
    call = _create_call(
        code="covid-19-polizia-locale",
        action=action,
        reservation=_reservation(action, "499999.88"),
        title="Emergenza COVID-19: contributi straordinari alla Polizia locale dei comuni",
        text=(
            "Contributo straordinario a tutti i comuni del Piemonte per gli straordinari della Polizia "
            "locale e i dispositivi di protezione individuale, ripartito in proporzione alla popolazione "
            "residente. Le somme sono liquidate dopo la rendicontazione delle spese."
        ),
        requires_application=False,
        allocation_method=AllocationMethod.POPULATION,
        allocation_params={"source": "ISTAT, elaborazione Openpolis"},
        reference_date=POPULATION_DATE,
        eligible_kinds=[OrganisationKind.MUNICIPALITY],
        publish_at=datetime.datetime(2020, 4, 20, 9, 0, tzinfo=TZ),
        close_at=datetime.datetime(2020, 4, 22, 9, 0, tzinfo=TZ),
    )
    _propose(call)
    return call


def seed_bodycam(programme, orgs) -> Call:
    action = _action(1, 2, programme)
    opens = datetime.datetime(2021, 1, 11, 8, 0, tzinfo=TZ)
    call = _create_call(
        code="body-cam-polizia-locale",
        action=action,
        reservation=_reservation(action, "800000.00"),
        title="Progetto sperimentale Body-Cam per la Polizia locale",
        text=(
            "Contributi ai comandi dei comuni capoluogo di provincia, della Città metropolitana di Torino "
            "e al personale di polizia delle province, in proporzione agli operatori in servizio, per "
            "l'acquisto di Body-Cam. Liquidazione dopo la documentazione dell'acquisto."
        ),
        opens_at=opens,
        closes_at=opens + datetime.timedelta(days=30),
        application_form=ApplicationForm.DECLARED_WEIGHT,
        eligible_organisations=[orgs[key] for key in BODYCAM_OFFICERS],
        allocation_method=AllocationMethod.DECLARED_WEIGHT,
        weight_label="operatori di Polizia locale in servizio",
        documents=[
            (
                "dichiarazione",
                "Dichiarazione del comandante sugli operatori in servizio",
                False,
                [DocumentType.PDF],
                DocumentStage.APPLICATION,
            ),
            ("fattura", "Fattura di acquisto delle Body-Cam", True, [DocumentType.PDF], DocumentStage.REPORT),
        ],
        publish_at=opens - datetime.timedelta(days=4),
    )
    for index, (key, officers) in enumerate(BODYCAM_OFFICERS.items()):
        _apply(
            call,
            orgs[key],
            declared_weight=officers,
            at=opens + datetime.timedelta(days=2 + index, hours=index % 7),
            admit=True,
        )
    if call.status == CallStatus.PUBLISHED:
        _calls().call_close(actor=None, call=call, now=call.closes_at + datetime.timedelta(minutes=1))
    if call.status == CallStatus.CLOSED:
        _propose(call)
    return call


def seed_taxi(programme, orgs) -> Call:
    action = _action(1, 3, programme)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    opens = now - datetime.timedelta(days=10)
    call = _create_call(
        code="taxi-registratori-evento",
        action=action,
        reservation=_reservation(action, "300000.00"),
        title="Avviso per i titolari di licenza taxi di Torino: registratori di dati di evento",
        text=(
            "Contributo pari al 70% della spesa al netto di IVA, fino a 1.500,00 € per domanda, per "
            "l'acquisto e l'installazione nell'abitacolo di un registratore di dati di evento nuovo e "
            "conforme alle norme CEI, UNI, EN. Le domande sono finanziate nell'ordine di presentazione "
            "(a sportello) nel limite delle risorse; l'ultima finanziabile in parte."
        ),
        opens_at=opens,
        closes_at=now + datetime.timedelta(days=60),
        application_form=ApplicationForm.TAXI_RECORDER,
        eligible_kinds=[OrganisationKind.TAXI_LICENSEE],
        allocation_method=AllocationMethod.PERCENTAGE_CAPPED,
        allocation_params={
            "percentage": "70",
            "cap": "1500.00",
            "ranking": "submitted_at",
            "allow_partial_last": True,
        },
        eligible_basis=EligibleBasis.NET,
        documents=[
            ("preventivo", "Preventivo di spesa", True, [DocumentType.PDF], DocumentStage.APPLICATION),
            (
                "carta-circolazione",
                "Carta di circolazione del veicolo",
                True,
                [DocumentType.PDF, DocumentType.JPEG, DocumentType.PNG],
                DocumentStage.APPLICATION,
            ),
            ("fattura", "Fattura quietanzata", True, [DocumentType.PDF], DocumentStage.REPORT),
            ("installazione", "Certificato di installazione", True, [DocumentType.PDF], DocumentStage.REPORT),
        ],
        publish_at=opens - datetime.timedelta(days=1),
    )
    for index, (licence, plate, make, model, net, vat, submitted) in enumerate(TAXI_APPLICATIONS):
        licensee = orgs[f"taxi:{licence}"]
        _apply(
            call,
            licensee,
            licence_number=licence,
            vehicle_plate=plate,
            recorder_make=make,
            recorder_model=model,
            conformity_standard="CEI EN 50498",
            quote_net=net,
            quote_vat=vat,
            at=opens + datetime.timedelta(days=1 + index, hours=index) if submitted else None,
        )
    return call


def seed(stdout) -> None:
    programme = programme_load()
    stdout.write(f"Programme: {programme.act_label}")
    orgs = _organisations()
    for call in (seed_covid(programme), seed_bodycam(programme, orgs), seed_taxi(programme, orgs)):
        allocation = call.allocations.exclude(status=AllocationStatus.SUPERSEDED).first()
        state = (
            f"allocation round {allocation.round} {allocation.status}, "
            f"{allocation.rows.count()} rows, {format_money(allocation.allocated_total, language='it')}"
            if allocation
            else f"{call.applications.count()} applications"
        )
        stdout.write(f"  call {call.code}: {call.get_status_display()}, {state}")
    for chapter in BudgetChapter.objects.order_by("year", "number"):
        reserved = chapter.reservations.aggregate(total=Sum("amount"))["total"] or 0
        stdout.write(
            f"  chapter {chapter}: appropriation {format_money(chapter.appropriation, language='it')}, "
            f"reserved {format_money(reserved, language='it')}"
        )
