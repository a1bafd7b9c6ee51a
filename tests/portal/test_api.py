"""Permission matrix for the portal API: anonymous, other organisation, wrong role, right role."""

import pytest
from django.urls import reverse

from portal.choices import Role
from tests.factories import OrganisationFactory, make_user
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orgs():
    mine, other = OrganisationFactory(name="Mine"), OrganisationFactory(name="Other")
    return mine, other


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_anonymous_gets_401_everywhere():
    client = api_client_for(None)
    for name in ("v1:me", "v1:organisation-list", "v1:comune-list"):
        response = client.get(reverse(name))
        assert response.status_code == 401, name


def test_me_shows_memberships_and_capabilities():
    org = OrganisationFactory(name="Comune X")
    user = make_user(Role.APPLICANT, org)
    data = api_client_for(user).get(reverse("v1:me")).json()
    assert data["email"] == user.email
    assert data["memberships"][0]["organisation"]["name"] == "Comune X"
    assert data["memberships"][0]["role"] == "applicant"
    # Their own organisation's statement and devices.
    assert data["capabilities"] == ["apply", "export_own", "read_funding", "read_inventory"]


def test_applicant_sees_only_their_organisation(two_orgs):
    mine, other = two_orgs
    user = make_user(Role.APPLICANT, mine)
    client = api_client_for(user)
    assert ids(client.get(reverse("v1:organisation-list"))) == {mine.pk}
    assert client.get(reverse("v1:organisation-detail", args=[other.pk])).status_code == 404


def test_user_without_role_sees_no_organisation(two_orgs):
    client = api_client_for(make_user())
    assert ids(client.get(reverse("v1:organisation-list"))) == set()


@pytest.mark.parametrize("role", [Role.REGIONAL_OFFICIAL, Role.AUDITOR, Role.ADMINISTRATOR])
def test_readers_of_everything_see_all_organisations(two_orgs, role):
    mine, other = two_orgs
    user = make_user(role)
    found = ids(api_client_for(user).get(reverse("v1:organisation-list"), {"page_size": 500}))
    assert {mine.pk, other.pk} <= found


def test_organisation_api_is_read_only(two_orgs):
    mine, _ = two_orgs
    client = api_client_for(make_user(Role.REGIONAL_OFFICIAL))
    response = client.patch(reverse("v1:organisation-detail", args=[mine.pk]), {"name": "Changed"})
    assert response.status_code == 405
    mine.refresh_from_db()
    assert mine.name == "Mine"


def test_comuni_are_readable_by_any_logged_in_user(comuni):
    client = api_client_for(make_user())
    response = client.get(reverse("v1:comune-detail", args=["001272"]))
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "Torino"
    assert data["province"] == "TO"
    assert {p["reference_date"] for p in data["populations"]} == {"2022-01-01", "2023-01-01"}


def test_comuni_filters(comuni):
    client = api_client_for(make_user())
    data = client.get(reverse("v1:comune-list"), {"is_provincial_capital": "true"}).json()
    assert data["count"] == 8


def test_comune_list_query_count_does_not_grow(comuni, django_assert_max_num_queries):
    client = api_client_for(make_user())
    with django_assert_max_num_queries(6):
        client.get(reverse("v1:comune-list"), {"page_size": 50})


def test_token_authentication(two_orgs):
    from portal.tokens import api_token_create

    mine, _ = two_orgs
    user = make_user(Role.APPLICANT, mine)
    _token, key = api_token_create(actor=user, name="script", passed_totp=False)
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(reverse("v1:me")).json()["email"] == user.email


def test_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular",
        "--api-version",
        "v1",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yml"),
    )
    assert "/api/v1/me/" in (tmp_path / "schema.yml").read_text()


def test_me_with_session_authentication(client):
    """A browser session (the user is a lazy object there, not a User) reads /me/ like a token does."""
    user = make_user(Role.APPLICANT, OrganisationFactory(name="Comune Y"))
    client.force_login(user)
    response = client.get(reverse("v1:me"))
    assert response.status_code == 200
    assert response.json()["email"] == user.email
