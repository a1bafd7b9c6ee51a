import pytest
from django.core import mail
from django.urls import reverse

from portal.choices import OrganisationKind, Role
from portal.models import AccessRequest, AuditEvent, Comune, Membership, Organisation
from portal.permissions import user_roles
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TAXI = {
    "kind": OrganisationKind.TAXI_LICENSEE,
    "organisation_name": "Giorgio Verdi",
    "tax_code": "RSSMRA70A01L219K",
    "licence_number": "to-0999",
    "message": "",
}


@pytest.fixture
def torino(comuni):
    return Comune.objects.get(istat_code="001272")


def test_self_registered_user_requests_and_official_approves(
    client, torino, django_capture_on_commit_callbacks
):
    official = make_user(Role.REGIONAL_OFFICIAL)
    user = make_user()
    client.force_login(user)
    assert (
        "Richiedi l&#x27;accesso" in client.get("/").content.decode()
        or "access-requests/new" in client.get("/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("access_request_new"), {**TAXI, "comune": torino.pk})
    assert response.status_code == 302
    request = AccessRequest.objects.get(user=user)
    assert request.licence_number == "TO-0999"
    assert official.email in [m.to[0] for m in mail.outbox]

    client.force_login(official)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("access_request_detail", args=[request.pk]), {"approve": "1", "decision_reason": ""}
        )
    assert response.status_code == 302
    taxi = Organisation.objects.get(kind=OrganisationKind.TAXI_LICENSEE, licence_number="TO-0999")
    assert taxi.tax_code == "RSSMRA70A01L219K"
    assert taxi.comune == torino
    assert user_roles(type(user).objects.get(pk=user.pk)) == {Role.APPLICANT}
    assert mail.outbox[-1].to == [user.email]
    assert AuditEvent.objects.filter(action="access_request.approved", actor=official).exists()


def test_taxi_request_needs_a_person_tax_code(client, torino):
    client.force_login(make_user())
    response = client.post(
        reverse("access_request_new"),
        {**TAXI, "tax_code": "00514490010", "comune": torino.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "16-character codice fiscale" in response.content.decode()
    assert not AccessRequest.objects.exists()


def test_invalid_tax_code_is_refused_on_its_field(client, torino):
    client.force_login(make_user())
    response = client.post(
        reverse("access_request_new"), {**TAXI, "tax_code": "RSSMRA70A01L219X", "comune": torino.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["tax_code"]
    assert not AccessRequest.objects.exists()


def test_municipality_request_links_to_the_comune(torino):
    from portal.access import access_request_create, access_request_decide

    admin = make_user(Role.ADMINISTRATOR)
    user = make_user()
    request = access_request_create(user=user, kind=OrganisationKind.MUNICIPALITY, comune=torino)
    access_request_decide(actor=admin, request=request, approve=True)
    membership = Membership.objects.get(user=user)
    assert membership.organisation.comune == torino
    assert membership.role == Role.APPLICANT


@pytest.mark.parametrize("role", [None, Role.APPLICANT, Role.AUDITOR, Role.INVENTORY_MANAGER])
def test_only_approvers_decide(client, torino, role):
    from portal.access import access_request_create

    request = access_request_create(user=make_user(), kind=OrganisationKind.MUNICIPALITY, comune=torino)
    client.force_login(make_user(role))
    response = client.post(reverse("access_request_detail", args=[request.pk]), {"approve": "1"})
    assert response.status_code in (403, 404)
    request.refresh_from_db()
    assert request.status == "pending"
    assert not Membership.objects.filter(user=request.user).exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("access_request_new"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_rejection_needs_a_reason(torino):
    from django.core.exceptions import ValidationError

    from portal.access import access_request_create, access_request_decide

    request = access_request_create(user=make_user(), kind=OrganisationKind.MUNICIPALITY, comune=torino)
    with pytest.raises(ValidationError):
        access_request_decide(
            actor=make_user(Role.REGIONAL_OFFICIAL), request=request, approve=False, reason=""
        )
    request.refresh_from_db()
    assert request.status == "pending"
