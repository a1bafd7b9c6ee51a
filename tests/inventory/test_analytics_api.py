"""The analytics sources' API as a permission matrix (anonymous, other organisation, wrong role,
right role; a denied call changes nothing); the key is in the creating answer only."""

import pytest

from inventory.models import AnalyticsSource, SourceKey
from portal.choices import OrganisationKind, Role
from portal.models import AuditEvent
from tests.factories import OrganisationFactory, make_user
from tests.inventory.analytics_helpers import deployed_camera, event, make_source, post
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/sources/"
ACTORS = ["anonymous", "other_org", "official", "auditor", "region_manager", "own_staff", "own_manager"]
READERS = {"official", "auditor", "region_manager", "own_staff", "own_manager"}
WRITERS = {"region_manager", "own_staff", "own_manager"}


@pytest.fixture
def world(comuni):
    camera = deployed_camera()
    owner = camera.owner
    region = OrganisationFactory(kind=OrganisationKind.REGION, name="Regione")
    users = {
        "anonymous": None,
        "other_org": make_user(Role.APPLICANT, OrganisationFactory()),
        "official": make_user(Role.REGIONAL_OFFICIAL, region),
        "auditor": make_user(Role.AUDITOR, region),
        "region_manager": make_user(Role.INVENTORY_MANAGER, region),
        "own_staff": make_user(Role.APPLICANT, owner),
        "own_manager": make_user(Role.INVENTORY_MANAGER, owner),
    }
    return {"owner": owner, "users": users, "issued": make_source(owner)}


def counts():
    return AnalyticsSource.objects.count(), SourceKey.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize("actor", ACTORS)
def test_reading_sources(world, actor):
    client = api_client_for(world["users"][actor])
    response = client.get(URL)
    if actor == "anonymous":
        assert response.status_code == 401
    elif actor in READERS:
        assert [s["name"] for s in response.json()["results"]] == ["Centrale operativa"]
        assert world["issued"].key not in response.content.decode()
    else:
        assert response.json()["results"] == []


@pytest.mark.parametrize("actor", ACTORS)
def test_creating_rotating_and_revoking(world, actor, client):
    api = api_client_for(world["users"][actor])
    source = world["issued"].source
    before = counts()
    created = api.post(URL, {"owner": world["owner"].pk, "name": "Gateway taxi"}, format="json")
    rotated = api.post(f"{URL}{source.pk}/rotate-key/", {"overlap_hours": 0}, format="json")
    revoked = api.post(f"{URL}{source.pk}/revoke/", format="json")
    if actor in WRITERS:
        assert created.status_code == 201
        assert created.json()["key"].startswith("snt_")
        assert created["Cache-Control"] == "no-store"
        assert rotated.status_code == 200
        assert post(client, rotated.json()["key"], [event()]).status_code == 401  # revoked since
        assert revoked.json()["revoked_at"] is not None
    else:
        expected = 401 if actor == "anonymous" else 403
        assert created.status_code == expected
        assert rotated.status_code in (expected, 404)
        assert revoked.status_code in (expected, 404)
        assert counts() == before
        assert AnalyticsSource.objects.get(pk=source.pk).revoked_at is None


def test_a_bad_allowlist_is_a_field_error_in_italian(world):
    api = api_client_for(world["users"]["own_manager"])
    response = api.post(URL, {"owner": world["owner"].pk, "name": "X", "ip_allowlist": "boh"}, format="json")
    assert response.status_code == 400
    assert "non è un indirizzo IP" in response.json()["ip_allowlist"][0]
