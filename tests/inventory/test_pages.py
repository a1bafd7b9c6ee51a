"""The inventory pages: list with filters, a device page with its timeline and forms, the map (which
lists the sites whatever the tiles do), the funded-vs-deployed dashboard, the home work queue."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.services.ledger import liquidation_create
from inventory.choices import AssignmentKind, DeviceKind, DeviceStatus
from inventory.services.deployment import Target, device_deploy
from inventory.services.devices import device_transition
from portal.choices import OrganisationKind, Role
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import ACT
from tests.inventory.factories import cuneo, make_site, municipality, officer, register
from tests.inventory.grants import make_device_call, make_grant
from tests.utils import external_assets

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client, comuni):
    user = make_user(Role.INVENTORY_MANAGER, OrganisationFactory(kind=OrganisationKind.REGION))
    client.force_login(user)
    return client


def test_the_list_filters_by_kind_status_comune_and_warranty(manager):
    owner = municipality()
    cam = register(owner=owner, kind=DeviceKind.CCTV, serial="CAM-1", warranty_end=datetime.date(2022, 1, 1))
    device_deploy(actor=None, device=cam, target=Target(kind=AssignmentKind.SITE, site=make_site(owner)))
    register(owner=owner, kind=DeviceKind.BODYCAM, serial="BC-1", warranty_end=datetime.date(2099, 1, 1))
    url = reverse("inventory:device_list")
    page = manager.get(url)
    assert page.status_code == 200
    assert external_assets(page.content.decode()) == []
    assert page.context["page"].paginator.count == 2
    assert [d.serial_number for d in manager.get(url, {"kind": "cctv"}).context["page"]] == ["CAM-1"]
    assert [d.serial_number for d in manager.get(url, {"status": "in_stock"}).context["page"]] == ["BC-1"]
    assert [d.serial_number for d in manager.get(url, {"warranty": "expired"}).context["page"]] == ["CAM-1"]
    assert manager.get(url, {"comune": "Torino"}).context["page"].paginator.count == 2
    assert "Piazza Castello" in page.content.decode()


def test_the_device_page_shows_the_timeline_and_changes_status(manager):
    device = register(kind=DeviceKind.BODYCAM, serial="BC-9")
    device_deploy(
        actor=None, device=device, target=officer(number="PL-0042"), started_on=datetime.date(2024, 1, 5)
    )
    url = reverse("inventory:device_detail", args=[device.pk])
    html = manager.get(url).content.decode()
    assert "PL-0042" in html
    assert "In servizio" in html
    response = manager.post(url, {"action": "transition", "to_status": "faulty", "reason": ""})
    assert response.status_code == 400
    assert "Indica perché" in response.content.decode()
    response = manager.post(url, {"action": "transition", "to_status": "faulty", "reason": "Batteria gonfia"})
    assert response.status_code == 302
    html = manager.get(url).content.decode()
    assert "Batteria gonfia" in html
    assert "Assegnazione conclusa" in html


def test_a_deploy_with_a_name_is_refused_on_the_field(manager):
    device = register(kind=DeviceKind.BODYCAM)
    url = reverse("inventory:device_detail", args=[device.pk])
    response = manager.post(
        url,
        {"action": "deploy", "kind": "officer", "police_unit": "Centro", "officer_service_number": "Rossi"},
    )
    assert response.status_code == 400
    assert "mai un nome" in response.content.decode()


def test_register_a_device_from_the_page(manager):
    owner = municipality()
    from tests.inventory.factories import DeviceModelFactory

    model = DeviceModelFactory(kind=DeviceKind.CCTV)
    response = manager.post(
        reverse("inventory:device_register"),
        {
            "owner": owner.pk,
            "model": model.pk,
            "serial_number": "NEW-1",
            "cost_net": "1.000,00".replace(".", ""),
            "cost_vat": "220",
            "status": "in_stock",
            "funding_source": "own_funds",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_map_lists_the_sites_and_loads_leaflet_locally(manager, settings):
    settings.INVENTORY_TILE_URL = ""  # no tile server: the page still works
    owner = municipality()
    make_site(owner)
    html = manager.get(reverse("inventory:map")).content.decode()
    assert "inventory/vendor/leaflet/leaflet.js" in html
    assert external_assets(html) == []
    assert "Piazza Castello" in html  # in the table, whatever the map does
    assert '"coordinates": [7.6856, 45.071]' in html


def test_the_funded_page_answers_what_the_money_bought(manager):
    call = make_device_call()
    torino = make_grant(call, municipality(), "10000.00")
    cuneo_grant = make_grant(call, municipality(cuneo()), "5000.00")
    for n in range(3):
        device = register(commitment=torino, serial=f"BC-{n}", kind=DeviceKind.BODYCAM)
        if n == 0:
            device_deploy(actor=None, device=device, target=officer())
        if n == 1:
            device_transition(actor=None, device=device, to_status=DeviceStatus.FAULTY, reason="Rotta")
    # Cuneo was paid long ago and deployed nothing: flagged.
    liquidation_create(
        actor=None, commitment=cuneo_grant, amount=Decimal("1000.00"), date=datetime.date(2020, 6, 1), act=ACT
    )
    response = manager.get(reverse("inventory:funded"), {"call": call.code})
    rows = {r.beneficiary: r for r in response.context["rows"]}
    assert (rows["Comune di Torino"].registered, rows["Comune di Torino"].deployed) == (3, 1)
    assert rows["Comune di Torino"].faulty == 1
    assert rows["Comune di Torino"].cost_per_device == Decimal("366.00")
    assert rows["Comune di Cuneo"].flags == ["paid_not_deployed", "not_registered"]
    html = response.content.decode()
    assert "charts-css" in html
    assert "Pagato da più di 90 giorni" in html
    assert external_assets(html) == []


def test_the_home_page_shows_the_work_queue(manager):
    device = register(kind=DeviceKind.BODYCAM, serial="BC-HOME")
    device_transition(actor=None, device=device, to_status=DeviceStatus.FAULTY, reason="Caduta")
    html = manager.get(reverse("home")).content.decode()
    assert "Dispositivi guasti" in html
    assert "BC-HOME" in html or str(device) in html


def test_the_funded_page_flags_warranty_silence_and_counts_output(manager):
    from django.utils import timezone

    from inventory.models import Device

    call = make_device_call()
    grant = make_grant(call, municipality(), "10000.00")
    devices = [
        register(
            commitment=grant,
            serial=f"CAM-{n}",
            kind=DeviceKind.BODYCAM,
            warranty_end=datetime.date(2030, 1, 1),
        )
        for n in range(3)
    ]
    for device in devices:
        device_deploy(actor=None, device=device, target=officer(number=f"PL-{device.pk:04d}"))
    now = timezone.now()
    Device.objects.filter(pk=devices[0].pk).update(
        last_seen_at=now - datetime.timedelta(hours=1)
    )  # producing
    Device.objects.filter(pk=devices[1].pk).update(last_seen_at=now - datetime.timedelta(days=5))  # silent
    Device.objects.filter(pk=devices[2].pk).update(warranty_end=datetime.date(2022, 1, 1))  # beyond warranty
    response = manager.get(reverse("inventory:funded"), {"call": call.code})
    (row,) = response.context["rows"]
    assert (row.deployed, row.producing, row.silent, row.out_of_warranty) == (3, 1, 1, 1)
    assert row.flags == ["out_of_warranty", "silent"]
    html = response.content.decode()
    assert "Installati ma silenziosi" in html or "silenzios" in html
    assert "Con dati in uscita" in html
