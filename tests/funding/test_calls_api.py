"""API of calls, applications and documents: the same services behind DRF, with the permission matrix
(anonymous, other organisation, wrong role, right role) and a denied call changing nothing."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding.choices import AllocationMethod, ApplicationForm, ApplicationStatus, CallStatus
from funding.models import Application, Call, Document
from portal.choices import OrganisationKind, Role
from portal.models import AuditEvent
from tests.factories import make_user
from tests.funding.factories import make_reservation
from tests.funding.factories_calls import (
    image_bytes,
    make_applicant,
    make_call,
    make_draft,
    make_submitted,
    make_taxi_applicant,
    make_taxi_call,
    pdf_bytes,
)
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db


def counts():
    return (
        Call.objects.count(),
        Application.objects.count(),
        Document.objects.count(),
        AuditEvent.objects.count(),
    )


# --- Calls ------------------------------------------------------------------------------------------
def test_public_calls_without_authentication():
    published = make_call(title="Pubblicato")
    make_call(title="Bozza", status=CallStatus.DRAFT)
    closed = make_call(title="Chiuso", status=CallStatus.CLOSED)
    client = api_client_for(None)
    response = client.get(reverse("v1:call-list"))
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["results"]}
    assert set(rows) == {published.code, closed.code}
    assert rows[closed.code]["status"] == "closed"
    assert rows[published.code]["is_open"] is True
    assert rows[published.code]["funds"] == "10000.00"
    assert rows[published.code]["required_documents"][0]["code"] == "domanda"
    detail = client.get(reverse("v1:call-detail", args=[published.code]))
    assert detail.status_code == 200
    assert detail.json()["legal_references"].startswith("L.R. 23/2007")


def test_drafts_are_hidden_from_the_public_and_applicants():
    draft = make_call(status=CallStatus.DRAFT)
    assert api_client_for(None).get(reverse("v1:call-detail", args=[draft.code])).status_code == 404
    assert (
        api_client_for(make_applicant()[0]).get(reverse("v1:call-detail", args=[draft.code])).status_code
        == 404
    )
    auditor = api_client_for(make_user(Role.AUDITOR))
    assert auditor.get(reverse("v1:call-detail", args=[draft.code])).status_code == 200


def call_payload(reservation, **extra):
    return {
        "code": "taxi-api",
        "title": "Avviso via API",
        "action": reservation.action.pk,
        "reservation": reservation.pk,
        "opens_at": "2030-04-01T10:00:00+02:00",
        "closes_at": "2030-04-30T12:00:00+02:00",
        "application_form": ApplicationForm.TAXI_RECORDER,
        "eligible_kinds": [OrganisationKind.TAXI_LICENSEE],
        "allocation_method": AllocationMethod.PERCENTAGE_CAPPED,
        "allocation_params": {"percentage": "50", "cap": "1000.00"},
        **extra,
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 401), (Role.APPLICANT, 403), (Role.AUDITOR, 403), (Role.REGIONAL_OFFICIAL, 201)],
)
def test_create_call_matrix(role, expected):
    reservation = make_reservation("300000.00")
    client = api_client_for(make_user(role) if role else None)
    before = counts()
    response = client.post(reverse("v1:call-list"), call_payload(reservation), format="json")
    assert response.status_code == expected, response.content
    if expected != 201:
        assert counts() == before
    else:
        assert response.json()["status"] == "draft"


def test_official_configures_and_publishes_a_call():
    reservation = make_reservation("300000.00")
    client = api_client_for(make_user(Role.REGIONAL_OFFICIAL))
    client.post(reverse("v1:call-list"), call_payload(reservation), format="json")
    url = reverse("v1:call-detail", args=["taxi-api"])
    response = client.post(reverse("v1:call-publish", args=["taxi-api"]))
    assert response.status_code == 400
    assert "required_documents" in response.json()
    response = client.post(
        reverse("v1:call-required-documents", args=["taxi-api"]),
        {"code": "preventivo", "name": "Preventivo", "accepted_types": ["pdf"]},
        format="json",
    )
    assert response.status_code == 201
    assert client.patch(url, {"title": "Nuovo titolo"}, format="json").json()["title"] == "Nuovo titolo"
    response = client.patch(url, {"closes_at": "2030-03-01T12:00:00+01:00"}, format="json")
    assert response.status_code == 400
    assert "closes_at" in response.json()
    assert client.put(url, call_payload(reservation), format="json").status_code in (404, 405)
    response = client.post(reverse("v1:call-publish", args=["taxi-api"]))
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert client.patch(url, {"title": "Troppo tardi"}, format="json").status_code == 400
    response = client.delete(reverse("v1:call-remove-required-document", args=["taxi-api", "preventivo"]))
    assert response.status_code == 400
    assert client.post(reverse("v1:call-close", args=["taxi-api"])).json()["status"] == "closed"


def test_applicant_cannot_publish_through_the_api():
    draft = make_call(status=CallStatus.DRAFT)
    client = api_client_for(make_applicant()[0])
    before = counts()
    assert client.post(reverse("v1:call-publish", args=[draft.code])).status_code == 403
    assert (
        client.patch(reverse("v1:call-detail", args=[draft.code]), {"title": "x"}, format="json").status_code
        == 403
    )
    assert counts() == before


# --- Applications -----------------------------------------------------------------------------------
def test_taxi_application_from_draft_to_submission():
    call = make_taxi_call()
    user, org = make_taxi_applicant()
    client = api_client_for(user)
    response = client.post(
        reverse("v1:application-list"),
        {"call": call.code, "vehicle_plate": "ab123cd", "quote_net": "800.00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft"
    assert data["vehicle_plate"] == "AB123CD"
    assert data["applicant"] == org.pk  # the only organisation of the user
    assert "preventivo" in data["missing"]["documents"]
    assert "recorder_make" in data["missing"]["fields"]
    pk = data["id"]
    response = client.patch(
        reverse("v1:application-detail", args=[pk]),
        {
            "recorder_make": "Acme",
            "recorder_model": "R2",
            "conformity_standard": "nessuna",
            "quote_vat": "176.00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "conformity_standard" in response.json()
    client.patch(
        reverse("v1:application-detail", args=[pk]),
        {
            "recorder_make": "Acme",
            "recorder_model": "R2",
            "conformity_standard": "CEI EN 50155",
            "quote_vat": "176",
        },
        format="json",
    )
    response = client.post(
        reverse("v1:application-documents", args=[pk]),
        {"file": SimpleUploadedFile("preventivo.pdf", pdf_bytes()), "required_document": "preventivo"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    document = response.json()
    assert document["sha256"]
    assert document["download_url"].endswith(f"/api/v1/documents/{document['id']}/download/")
    response = client.post(reverse("v1:application-submit", args=[pk]))
    assert response.status_code == 200, response.content
    assert response.json()["protocol_number"].startswith(f"{call.code}/")
    assert response.json()["missing"]["complete"] is True
    timeline = client.get(reverse("v1:application-timeline", args=[pk])).json()
    assert [e["label"] for e in timeline][-1] in ("Presentata", "Submitted")


def test_create_with_bad_data_creates_nothing():
    call = make_taxi_call()
    user, _org = make_taxi_applicant()
    before = counts()
    response = api_client_for(user).post(
        reverse("v1:application-list"), {"call": call.code, "licence_number": "XX-1"}, format="json"
    )
    assert response.status_code == 400
    assert "licence_number" in response.json()
    assert counts() == before


def test_user_with_two_organisations_must_say_which():
    call = make_call()
    user, first = make_applicant()
    second = make_applicant()[1]
    from portal.models import Membership

    Membership.objects.create(user=user, organisation=second, role=Role.APPLICANT)
    response = api_client_for(user).post(reverse("v1:application-list"), {"call": call.code}, format="json")
    assert response.status_code == 400
    assert "applicant" in response.json()
    response = api_client_for(user).post(
        reverse("v1:application-list"), {"call": call.code, "applicant": first.pk}, format="json"
    )
    assert response.status_code == 201


def test_application_visibility_matrix():
    call = make_call()
    user, org = make_applicant()
    application = make_submitted(call, user, org)
    url = reverse("v1:application-detail", args=[application.pk])
    assert api_client_for(None).get(url).status_code == 401
    assert api_client_for(make_applicant()[0]).get(url).status_code == 404
    assert api_client_for(make_user(Role.INVENTORY_MANAGER)).get(url).status_code == 403
    own = api_client_for(user).get(url)
    assert own.status_code == 200
    assert own.json()["review_notes"] is None
    auditor = api_client_for(make_user(Role.AUDITOR)).get(url)
    assert auditor.status_code == 200
    assert auditor.json()["review_notes"] == ""
    listed = api_client_for(user).get(reverse("v1:application-list")).json()
    assert [row["id"] for row in listed["results"]] == [application.pk]
    assert listed["results"][0]["missing"] is None


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("other_org", 404), ("applicant", 403), ("auditor", 403), ("official", 200)],
)
def test_review_matrix(who, expected, django_capture_on_commit_callbacks):
    user, org = make_applicant()
    application = make_submitted(make_call(), user, org)
    clients = {
        "anonymous": None,
        "other_org": make_applicant()[0],
        "applicant": user,
        "auditor": make_user(Role.AUDITOR),
        "official": make_user(Role.REGIONAL_OFFICIAL),
    }
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(clients[who]).post(
            reverse("v1:application-review", args=[application.pk]),
            {"admissible": False, "reason": "Firma mancante"},
            format="json",
        )
    assert response.status_code == expected
    application.refresh_from_db()
    if expected == 200:
        assert application.status == ApplicationStatus.INADMISSIBLE
        assert len(mail.outbox) >= 1
    else:
        assert application.status == ApplicationStatus.SUBMITTED
        assert counts() == before
        assert mail.outbox == []


def test_review_errors_name_the_field():
    application = make_submitted(make_call())
    response = api_client_for(make_user(Role.REGIONAL_OFFICIAL)).post(
        reverse("v1:application-review", args=[application.pk]), {"admissible": False}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()


def test_withdraw_and_revoke():
    user, org = make_applicant()
    application = make_submitted(make_call(), user, org)
    assert (
        api_client_for(make_user(Role.REGIONAL_OFFICIAL))
        .post(reverse("v1:application-withdraw", args=[application.pk]))
        .status_code
        == 403
    )
    response = api_client_for(user).post(
        reverse("v1:application-withdraw", args=[application.pk]), {}, format="json"
    )
    assert response.json()["status"] == "withdrawn"
    response = api_client_for(make_user(Role.REGIONAL_OFFICIAL)).post(
        reverse("v1:application-revoke", args=[application.pk]), {"reason": "x"}, format="json"
    )
    assert response.status_code == 400  # a withdrawn application cannot be revoked
    assert "non_field_errors" in response.json()


def test_filters_of_the_list():
    official = api_client_for(make_user(Role.REGIONAL_OFFICIAL))
    taxi_user, taxi_org = make_taxi_applicant()
    taxi = make_draft(make_taxi_call(code="taxi"), taxi_user, taxi_org)
    other = make_draft(make_call(code="comuni"))
    rows = official.get(reverse("v1:application-list"), {"applicant_kind": "taxi_licensee"}).json()["results"]
    assert [r["id"] for r in rows] == [taxi.pk]
    rows = official.get(reverse("v1:application-list"), {"call": "comuni"}).json()["results"]
    assert [r["id"] for r in rows] == [other.pk]


# --- Documents -----------------------------------------------------------------------------------------
def test_bad_upload_is_a_400_on_the_file_field(settings):
    user, org = make_applicant()
    application = make_draft(make_call(), user, org)
    before = counts()
    response = api_client_for(user).post(
        reverse("v1:application-documents", args=[application.pk]),
        {"file": SimpleUploadedFile("foto.pdf", image_bytes("png")), "required_document": "domanda"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()
    assert counts() == before
    response = api_client_for(user).post(
        reverse("v1:application-documents", args=[application.pk]),
        {"file": SimpleUploadedFile("a.pdf", pdf_bytes()), "required_document": "nope"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "required_document" in response.json()


@pytest.mark.parametrize(
    ("who", "upload", "download"),
    [
        ("anonymous", 401, 401),
        ("other_org", 404, 404),
        ("official", 403, 200),
        ("auditor", 403, 200),
        ("applicant", 201, 200),
    ],
)
def test_document_matrix(who, upload, download):
    user, org = make_applicant()
    application = make_draft(make_call(), user, org)
    from funding.services.documents import document_upload

    existing = document_upload(
        actor=user, application=application, uploaded_file=SimpleUploadedFile("allegato.pdf", pdf_bytes())
    )
    clients = {
        "anonymous": None,
        "other_org": make_applicant()[0],
        "official": make_user(Role.REGIONAL_OFFICIAL),
        "auditor": make_user(Role.AUDITOR),
        "applicant": user,
    }
    client = api_client_for(clients[who])
    before = Document.objects.count()
    response = client.post(
        reverse("v1:application-documents", args=[application.pk]),
        {"file": SimpleUploadedFile("altro.pdf", pdf_bytes())},
        format="multipart",
    )
    assert response.status_code == upload
    assert Document.objects.count() == before + (1 if upload == 201 else 0)
    response = client.get(reverse("v1:document-download", args=[existing.pk]))
    assert response.status_code == download
    if download == 200:
        assert response["Content-Disposition"] == 'attachment; filename="allegato.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_download_with_a_specific_accept_header():
    user, org = make_applicant()
    application = make_draft(make_call(), user, org)
    from funding.services.documents import document_upload

    document = document_upload(
        actor=user, application=application, uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes())
    )
    response = api_client_for(user).get(
        reverse("v1:document-download", args=[document.pk]), HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 200
    response = api_client_for(make_applicant()[0]).get(
        reverse("v1:document-download", args=[document.pk]), HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["official", "auditor", "administrator"])
@pytest.mark.parametrize(
    "body",
    [
        {"required_document": "no-such-code"},  # an unknown code must not be told apart from a real one
        {"required_document": "domanda"},
        {},  # no file at all
    ],
)
def test_an_upload_by_a_role_that_may_not_upload_is_403_before_any_validation(who, body):
    """Permission first (issue 9, item 9): whatever the body, a reader who may not upload gets 403, so
    the answer reveals nothing about which document codes the call has."""
    user, org = make_applicant()
    application = make_draft(make_call(), user, org)
    role = {"official": Role.REGIONAL_OFFICIAL, "auditor": Role.AUDITOR, "administrator": Role.ADMINISTRATOR}
    client = api_client_for(make_user(role[who]))
    before = counts()
    data = dict(body)
    if body:
        data["file"] = SimpleUploadedFile("a.pdf", pdf_bytes())
    response = client.post(
        reverse("v1:application-documents", args=[application.pk]), data, format="multipart"
    )
    assert response.status_code == 403
    assert counts() == before


def test_an_html_upload_by_a_reader_with_an_unknown_code_is_403(client):
    user, org = make_applicant()
    application = make_draft(make_call(), user, org)
    client.force_login(make_user(Role.REGIONAL_OFFICIAL))
    response = client.post(
        reverse("funding:document_upload", args=[application.pk]),
        {"required_document": "999999", "file": SimpleUploadedFile("a.pdf", pdf_bytes())},
    )
    assert response.status_code == 403
