"""Visibility follows the role, not the membership (issue 9, item 5): the funding endpoints and pages as
a matrix of every role of the portal (official, auditor, administrator of the Region; applicant, EU
project manager and inventory manager of Comune di Torino), an applicant of another organisation and
anonymous. The EU project manager and the inventory manager of Torino read none of Torino's
applications, documents, timeline or expense reports, in HTML and in the API alike; a denied write
changes nothing."""

import datetime

import pytest
from django.utils import timezone

from funding.models import Application, Document, ExpenseLine, ExpenseReport
from funding.services import expenses
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import MunicipalityFactory, RegionFactory, make_user
from tests.funding.factories import make_commitment
from tests.funding.factories_calls import make_call, make_draft, upload
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db

ROLES = [
    "official",
    "auditor",
    "administrator",
    "applicant",
    "eu_project_manager",
    "inventory_manager",
    "other_applicant",
    "anonymous",
]
READERS = {"official", "auditor", "administrator", "applicant"}  # READ_ALL roles and Torino's applicant
REGION_READERS = {"official", "auditor", "administrator"}
OWNER = {"applicant"}
OFFICIAL = {"official"}
DENIED = {302, 401, 403, 404}
EXPENSE_DRAFTS = "/funding/expenses/?status=draft"
LINE = {
    "supplier_name": "Fornitore Matrice S.r.l.",
    "supplier_vat_number": "00743110157",
    "invoice_number": "M-1",
    "invoice_date": (timezone.localdate() - datetime.timedelta(days=5)).isoformat(),
    "description": "Body-cam",
    "net_amount": "100.00",
    "vat_amount": "22.00",
    "total_amount": "122.00",
}


@pytest.fixture
def world():
    region = RegionFactory(name="Regione Piemonte")
    torino = MunicipalityFactory(name="Comune di Torino")
    users = {
        "official": make_user(Role.REGIONAL_OFFICIAL, region),
        "auditor": make_user(Role.AUDITOR, region),
        "administrator": make_user(Role.ADMINISTRATOR, region),
        "applicant": make_user(Role.APPLICANT, torino),
        "eu_project_manager": make_user(Role.EU_PROJECT_MANAGER, torino),
        "inventory_manager": make_user(Role.INVENTORY_MANAGER, torino),
        "other_applicant": make_user(Role.APPLICANT, MunicipalityFactory(name="Comune di Cuneo")),
        "anonymous": None,
    }
    call = make_call()
    application = make_draft(call, users["applicant"], torino)
    from funding.services.documents import document_upload

    document = document_upload(
        actor=users["applicant"],
        application=application,
        required_document=call.required_documents.get(code="domanda"),
        uploaded_file=upload(),
    )
    commitment = make_commitment("2000.00", beneficiary=torino)
    report = expenses.expense_report_create(actor=users["applicant"], commitment=commitment)
    line = expenses.expense_line_add(
        actor=users["applicant"],
        report=report,
        **{
            **LINE,
            "invoice_number": "M-0",
            "invoice_date": datetime.date.fromisoformat(LINE["invoice_date"]),
        },
    )
    line_document = expenses.expense_document_attach(
        actor=users["applicant"], line=line, uploaded_file=upload("fattura.pdf")
    )
    return {
        "users": users,
        "application": application,
        "document": document,
        "commitment": commitment,
        "report": report,
        "line": line,
        "line_document": line_document,
    }


# (name, url with {ids}, roles allowed, marker that an allowed list shows and a denied one must not)
READS = [
    ("api application list", "/api/v1/applications/", READERS, '"id":{application},'),
    ("api application", "/api/v1/applications/{application}/", READERS, None),
    ("api application documents", "/api/v1/applications/{application}/documents/", READERS, None),
    ("api application timeline", "/api/v1/applications/{application}/timeline/", READERS, None),
    ("api document", "/api/v1/documents/{document}/", READERS, None),
    ("api document download", "/api/v1/documents/{document}/download/", READERS, None),
    ("api line document", "/api/v1/documents/{line_document}/download/", READERS, None),
    ("api expense report list", "/api/v1/expense-reports/", READERS, '"id":{report},'),
    ("api expense report", "/api/v1/expense-reports/{report}/", READERS, None),
    ("api commitment", "/api/v1/commitments/{commitment}/", READERS, None),
    ("api commitment list", "/api/v1/commitments/", READERS, '"id":{commitment},'),
    ("api grants to report on", "/api/v1/grants/", OWNER, '"id":{commitment},'),
    (
        "html application list",
        "/funding/applications/",
        READERS,
        'href="/funding/applications/{application}/"',
    ),
    ("html application", "/funding/applications/{application}/", READERS, None),
    ("html document download", "/funding/documents/{document}/download/", READERS, None),
    ("html line document", "/funding/documents/{line_document}/download/", READERS, None),
    (
        "html expense report list",
        "/funding/expenses/?status=draft",
        READERS,
        'href="/funding/expenses/{report}/"',
    ),
    ("html expense report", "/funding/expenses/{report}/", READERS, None),
    ("html commitment", "/funding/commitments/{commitment}/", REGION_READERS, None),
    ("api chapters", "/api/v1/chapters/", REGION_READERS, None),
    ("api reservations", "/api/v1/reservations/", REGION_READERS, None),
    ("api liquidations", "/api/v1/liquidations/", READERS | {"other_applicant"}, None),
    ("api economies", "/api/v1/economies/", REGION_READERS, None),
    ("api allocations", "/api/v1/allocations/", REGION_READERS, None),
    ("html review queue", "/funding/applications/review/", {"official"}, None),
    ("html chapters", "/funding/chapters/", REGION_READERS, None),
    ("html commitments", "/funding/commitments/", REGION_READERS, None),
    ("html allocations", "/funding/allocations/", REGION_READERS, None),
    ("html calls to manage", "/funding/calls/manage/", REGION_READERS, None),
    ("html grants to publish", "/funding/transparency/publish/", {"official"}, None),
]


def _ids(world) -> dict:
    return {key: obj.pk for key, obj in world.items() if hasattr(obj, "pk")}


def _client(client, user, api: bool):
    if api:
        return api_client_for(user)
    if user is not None:
        client.force_login(user)
    return client


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("latin-1")
    return response.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "url", "allowed", "marker"), READS, ids=[r[0] for r in READS])
def test_reads(client, world, role, name, url, allowed, marker):
    user = world["users"][role]
    ids = _ids(world)
    response = _client(client, user, name.startswith("api")).get(url.format(**ids))
    body = _body(response)
    marker = marker.format(**ids) if marker else None
    if role in allowed:
        assert response.status_code == 200, (role, name, response.status_code)
        if marker:
            assert marker in body.replace(" ", "")
    elif marker and response.status_code == 200:
        assert marker not in body.replace(" ", ""), (role, name)
    else:
        assert response.status_code in DENIED, (role, name, response.status_code)
    if role in ("eu_project_manager", "inventory_manager"):
        assert "Fornitore Matrice" not in body
        assert "%PDF" not in body


def _state(world):
    application = Application.objects.get(pk=world["application"].pk)
    report = ExpenseReport.objects.get(pk=world["report"].pk)
    return (
        Document.objects.count(),
        ExpenseLine.objects.count(),
        AuditEvent.objects.count(),
        application.status,
        report.status,
    )


# (name, url with {ids}, data, multipart, who may). Torino's applicant's writes change the state; the
# official's here are let through to the services (which refuse a draft's review, say, with a 400).
WRITES = [
    ("api upload", "/api/v1/applications/{application}/documents/", "upload", True, OWNER),
    ("api submit application", "/api/v1/applications/{application}/submit/", None, False, OWNER),
    ("api add invoice", "/api/v1/expense-reports/{report}/lines/", "line", False, OWNER),
    ("api submit report", "/api/v1/expense-reports/{report}/submit/", None, False, OWNER),
    ("html upload", "/funding/applications/{application}/documents/", "file", True, OWNER),
    ("html submit application", "/funding/applications/{application}/submit/", "confirm", False, OWNER),
    ("html add invoice", "/funding/expenses/{report}/", "line", False, OWNER),
    ("html attach", "/funding/expenses/{report}/lines/{line}/attach/", "uploaded_file", True, OWNER),
    ("html submit report", "/funding/expenses/{report}/submit/", None, False, OWNER),
    ("api review application", "/api/v1/applications/{application}/review/", "review", False, OFFICIAL),
    ("api verify report", "/api/v1/expense-reports/{report}/verify/", "act", False, OFFICIAL),
    ("api close grant", "/api/v1/grants/{commitment}/close/", "act", False, OFFICIAL),
    ("api commit", "/api/v1/commitments/", "commit", False, OFFICIAL),
    ("html publish grants", "/funding/transparency/publish/", "publish", False, OFFICIAL),
]


def _data(kind):
    return {
        None: {},
        "confirm": {"confirmed": "1"},  # the confirmation page's second POST
        "line": LINE,
        "upload": {"file": upload(), "required_document": "domanda"},
        "file": {"file": upload()},
        "uploaded_file": {"uploaded_file": upload()},
        "review": {"admissible": True},
        "act": {"act_number": "1/2021", "act_date": timezone.localdate().isoformat()},
        "commit": {"amount": "10.00"},
        "publish": {"step": "confirm", "grant": ["1"]},
    }[kind]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "url", "data", "multipart", "allowed"), WRITES, ids=[w[0] for w in WRITES])
def test_writes(client, world, role, name, url, data, multipart, allowed):
    user = world["users"][role]
    api = name.startswith("api")
    caller = _client(client, user, api)
    before = _state(world)
    kwargs = {"format": "multipart" if multipart else "json"} if api else {}
    response = caller.post(url.format(**_ids(world)), _data(data), **kwargs)
    if role in allowed and allowed == OWNER:
        assert response.status_code in (200, 201, 302), (name, response.status_code, _body(response)[:300])
        assert _state(world) != before
    elif role in allowed:  # past the permission check, into the service's own rules
        assert response.status_code not in DENIED, (role, name, response.status_code)
    else:
        assert response.status_code in DENIED, (role, name, response.status_code)
        assert _state(world) == before


def test_matrix_size():
    """The figures quoted in the note: endpoints and pages by roles."""
    assert (len(READS) + len(WRITES), len(ROLES)) == (44, 8)
