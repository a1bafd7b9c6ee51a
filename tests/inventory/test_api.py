"""The inventory API: the permission matrix (anonymous, other organisation, wrong role, right role;
a denied call changes nothing), field errors, and what each endpoint answers."""

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.choices import DeviceKind, DeviceStatus
from inventory.models import Assignment, Device, DeviceStatusChange, Site
from portal.choices import OrganisationKind, Role
from portal.models import AuditEvent
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import make_commitment
from tests.inventory.factories import DeviceModelFactory, make_site, municipality, register
from tests.utils import api_client_for

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "other_org", "official", "auditor", "region_manager", "own_staff", "own_manager"]
READERS = {"official", "auditor", "region_manager", "own_staff", "own_manager"}
WRITERS = {"region_manager", "own_staff", "own_manager"}


@pytest.fixture
def world(comuni):
    owner = municipality()
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
    device = register(owner=owner, kind=DeviceKind.CCTV, serial="CAM-1")
    site = make_site(owner)
    return {"owner": owner, "users": users, "device": device, "site": site}


def snapshot_counts():
    return (
        Device.objects.count(),
        DeviceStatusChange.objects.count(),
        Assignment.objects.count(),
        Site.objects.count(),
        AuditEvent.objects.count(),
    )


def denied_status(actor):
    return 401 if actor == "anonymous" else 403


@pytest.mark.parametrize("actor", ACTORS)
def test_reading_devices(world, actor):
    client = api_client_for(world["users"][actor])
    listed = client.get(reverse("v1:device-list"))
    detail = client.get(reverse("v1:device-detail", args=[world["device"].pk]))
    if actor == "anonymous":
        assert (listed.status_code, detail.status_code) == (401, 401)
    elif actor in READERS:
        assert [d["serial_number"] for d in listed.json()["results"]] == ["CAM-1"]
        assert detail.status_code == 200
    else:  # another organisation sees an empty list and no device
        assert listed.json()["results"] == []
        assert detail.status_code == 404


@pytest.mark.parametrize("actor", ACTORS)
def test_registering_a_device(world, actor):
    before = snapshot_counts()
    model = DeviceModelFactory(kind=DeviceKind.CCTV)
    response = api_client_for(world["users"][actor]).post(
        reverse("v1:device-list"),
        {
            "owner": world["owner"].pk,
            "model": model.pk,
            "serial_number": "CAM-2",
            "cost_net": "1000.00",
            "cost_vat": "220.00",
            "funding_source": "own_funds",
        },
        format="json",
    )
    if actor in WRITERS:
        assert response.status_code == 201, response.json()
        assert response.json()["status"] == DeviceStatus.IN_STOCK
        assert snapshot_counts()[:2] == (before[0] + 1, before[1] + 1)
    else:
        assert response.status_code == denied_status(actor)
        assert snapshot_counts() == before


@pytest.mark.parametrize("actor", ACTORS)
def test_deploying_and_changing_status(world, actor):
    device = world["device"]
    client = api_client_for(world["users"][actor])
    before = snapshot_counts()
    deployed = client.post(
        reverse("v1:device-deploy", args=[device.pk]),
        {"kind": "site", "site": world["site"].pk, "started_on": "2024-05-02"},
        format="json",
    )
    faulty = client.post(
        reverse("v1:device-transition", args=[device.pk]),
        {"to_status": "faulty", "reason": "Obiettivo rotto"},
        format="json",
    )
    device.refresh_from_db()
    if actor in WRITERS:
        assert (deployed.status_code, faulty.status_code) == (201, 200)
        assert device.status == DeviceStatus.FAULTY
        assert Assignment.objects.get(device=device).ended_on == timezone.localdate()
    else:
        expected = {"anonymous": 401, "other_org": 404}.get(actor, 403)
        assert (deployed.status_code, faulty.status_code) == (expected, expected)
        assert device.status == DeviceStatus.IN_STOCK
        assert snapshot_counts() == before


@pytest.mark.parametrize("actor", ACTORS)
def test_creating_a_site(world, actor):
    before = snapshot_counts()
    response = api_client_for(world["users"][actor]).post(
        reverse("v1:site-list"),
        {
            "owner": world["owner"].pk,
            "name": "Porta Palazzo",
            "address": "Piazza della Repubblica",
            "comune": "001272",
            "latitude": "45.076900",
            "longitude": "7.683500",
            "watches": "Mercato",
        },
        format="json",
    )
    if actor in WRITERS:
        assert response.status_code == 201, response.json()
    else:
        assert response.status_code == denied_status(actor)
        assert snapshot_counts() == before


def test_a_beneficiary_cannot_register_for_another_organisation(world):
    before = snapshot_counts()
    response = api_client_for(world["users"]["own_staff"]).post(
        reverse("v1:device-list"),
        {
            "owner": OrganisationFactory().pk,
            "model": DeviceModelFactory().pk,
            "serial_number": "X",
            "cost_net": "1.00",
            "cost_vat": "0.00",
            "funding_source": "own_funds",
        },
        format="json",
    )
    assert response.status_code == 403
    assert snapshot_counts() == before


def test_errors_name_the_field_in_italian(world):
    client = api_client_for(world["users"]["region_manager"])
    response = client.post(
        reverse("v1:site-list"),
        {
            "owner": world["owner"].pk,
            "name": "Duomo",
            "address": "Piazza del Duomo",
            "comune": "001272",
            "latitude": "45.464200",
            "longitude": "9.190000",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="it",
    )
    assert response.status_code == 400
    assert "fuori dal Piemonte" in response.json()["latitude"][0]
    response = client.post(
        reverse("v1:device-transition", args=[world["device"].pk]),
        {"to_status": "ordered"},
        format="json",
    )
    assert response.status_code == 400
    assert "to_status" in response.json()


def test_a_serial_on_another_grant_is_refused_by_the_api_naming_the_grant(world):
    first = make_commitment()
    model = DeviceModelFactory(kind=DeviceKind.BODYCAM)
    register(commitment=first, model=model, serial="BC-77")
    second = make_commitment(beneficiary=world["owner"])
    response = api_client_for(world["users"]["own_staff"]).post(
        reverse("v1:device-list"),
        {
            "owner": world["owner"].pk,
            "model": model.pk,
            "serial_number": "BC-77",
            "cost_net": "100.00",
            "cost_vat": "22.00",
            "funding_source": "grant",
            "commitment": second.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert f"n. {first.pk}" in response.json()["serial_number"][0]


def test_history_and_filters(world):
    client = api_client_for(world["users"]["auditor"])
    device = world["device"]
    history = client.get(reverse("v1:device-history", args=[device.pk])).json()
    assert [(h["from_status"], h["to_status"]) for h in history] == [("", "in_stock")]
    assert client.get(reverse("v1:device-list"), {"kind": "bodycam"}).json()["count"] == 0
    assert client.get(reverse("v1:device-list"), {"kind": "cctv", "status": "in_stock"}).json()["count"] == 1
    assert client.get(reverse("v1:device-list"), {"comune": "001272"}).json()["count"] == 1


def test_sites_geojson_is_open_data_only_where_allowed(world, settings):
    url = reverse("v1:sites-geojson")
    settings.INVENTORY_OPEN_DATA_SITES = False
    assert api_client_for(None).get(url).status_code == 401
    data = api_client_for(world["users"]["official"]).get(url).json()
    assert data["type"] == "FeatureCollection"
    feature = data["features"][0]
    assert feature["geometry"]["coordinates"] == [7.6856, 45.071]  # longitude first (RFC 7946)
    settings.INVENTORY_OPEN_DATA_SITES = True
    public = api_client_for(None).get(url)
    assert public.status_code == 200
    assert public.json()["features"] == []  # no camera stands at the site yet
