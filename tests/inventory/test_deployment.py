"""Deployments: an officer's body-cam, a taxi's recorder, a camera at a site in Piedmont; one open
deployment per device; moving closes the open one in the same transaction."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inventory.choices import AssignmentKind, DeviceKind, DeviceStatus
from inventory.models import Assignment, Site
from inventory.services import deployment as services
from inventory.services.deployment import Target
from inventory.services.devices import device_transition
from portal.models import AuditEvent
from tests.factories import OrganisationFactory
from tests.inventory.factories import (
    CUNEO_PIAZZA_GALIMBERTI,
    MILANO_DUOMO,
    TORINO_PIAZZA_CASTELLO,
    cuneo,
    make_site,
    municipality,
    officer,
    register,
    torino,
)

pytestmark = pytest.mark.django_db


def codes(exc, field):
    return [e.code for e in exc.error_dict[field]]


def test_a_bodycam_goes_to_an_officer_by_service_number(comuni):
    device = register(kind=DeviceKind.BODYCAM)
    assignment = services.device_deploy(actor=None, device=device, target=officer(number=" pl 1234 "))
    device.refresh_from_db()
    assert device.status == DeviceStatus.DEPLOYED
    assert assignment.officer_service_number == "PL1234"
    assert device.history.latest("pk").to_status == DeviceStatus.DEPLOYED
    assert AuditEvent.objects.filter(action="inventory.device.deployed", target_id=str(device.pk)).exists()


@pytest.mark.parametrize("name", ["Mario Rossi", "ROSSI", "agente scelto"])
def test_an_officer_is_never_named(comuni, name):
    device = register(kind=DeviceKind.BODYCAM)
    with pytest.raises(ValidationError) as exc:
        services.device_deploy(actor=None, device=device, target=officer(number=name))
    assert "officer_service_number" in exc.value.error_dict
    assert not Assignment.objects.exists()


def test_the_database_refuses_an_officer_deployment_without_a_service_number(comuni):
    device = register(kind=DeviceKind.BODYCAM)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            device=device,
            kind=AssignmentKind.OFFICER,
            police_unit="X",
            officer_service_number="ROSSI",
            started_on=datetime.date(2023, 1, 1),
        )


def test_a_recorder_goes_into_its_licensees_taxi(comuni):
    licensee = OrganisationFactory(kind="taxi_licensee", comune=torino(), licence_number="TO-0101")
    device = register(owner=licensee, kind=DeviceKind.EDR)
    with pytest.raises(ValidationError) as exc:
        services.device_deploy(
            actor=None,
            device=device,
            target=Target(kind=AssignmentKind.VEHICLE, vehicle_plate="GB254MR", licence_number="TO-9999"),
        )
    assert codes(exc.value, "licence_number") == ["other_licence"]
    assignment = services.device_deploy(
        actor=None,
        device=device,
        target=Target(
            kind=AssignmentKind.VEHICLE,
            vehicle_plate="gb 254 mr",
            licence_number="TO-0101",
            installer="Officina",
        ),
        started_on=datetime.date(2024, 3, 1),
    )
    assert (assignment.vehicle_plate, assignment.installer) == ("GB254MR", "Officina")


def test_kind_and_target_must_match(comuni):
    device = register(kind=DeviceKind.EDR)
    with pytest.raises(ValidationError) as exc:
        services.device_deploy(actor=None, device=device, target=officer())
    assert codes(exc.value, "kind") == ["kind_target"]


def test_a_site_inside_piedmont_and_its_comunes_province(comuni):
    owner = municipality(cuneo())
    site = services.site_create(
        actor=None,
        owner=owner,
        name="Piazza Galimberti",
        address="Piazza Galimberti",
        comune=cuneo(),
        latitude=str(CUNEO_PIAZZA_GALIMBERTI[0]),
        longitude="7,5475",  # a comma is a decimal separator too
        watches="Varco ZTL",
    )
    assert site.longitude == Decimal("7.547500")


def test_a_coordinate_outside_piedmont_is_refused(comuni):
    owner = municipality()
    with pytest.raises(ValidationError) as exc:
        services.site_create(
            actor=None,
            owner=owner,
            name="Duomo",
            address="Piazza del Duomo",
            comune=torino(),
            latitude=MILANO_DUOMO[0],
            longitude=MILANO_DUOMO[1],
        )
    assert codes(exc.value, "latitude") == ["outside_piedmont"]
    assert "fuori dal Piemonte" in exc.value.message_dict["latitude"][0]
    assert not Site.objects.exists()


def test_a_coordinate_in_another_province_is_refused(comuni):
    owner = municipality(cuneo())
    with pytest.raises(ValidationError) as exc:
        services.site_create(
            actor=None,
            owner=owner,
            name="Sbagliato",
            address="Via Roma",
            comune=cuneo(),
            latitude=TORINO_PIAZZA_CASTELLO[0],
            longitude=TORINO_PIAZZA_CASTELLO[1],
        )
    assert codes(exc.value, "longitude") == ["outside_province"]


def test_a_camera_only_at_its_owners_site(comuni):
    owner = municipality()
    other_site = make_site(OrganisationFactory())
    device = register(owner=owner, kind=DeviceKind.CCTV)
    with pytest.raises(ValidationError) as exc:
        services.device_deploy(
            actor=None, device=device, target=Target(kind=AssignmentKind.SITE, site=other_site)
        )
    assert codes(exc.value, "site") == ["other_owner"]


def test_moving_closes_the_open_deployment_in_the_same_transaction(comuni):
    owner = municipality()
    first = make_site(owner, name="Piazza Castello")
    second = make_site(owner, name="Porta Nuova", coordinates=(Decimal("45.0620"), Decimal("7.6780")))
    device = register(owner=owner, kind=DeviceKind.ANPR)
    services.device_deploy(
        actor=None,
        device=device,
        target=Target(kind=AssignmentKind.SITE, site=first),
        started_on=datetime.date(2023, 1, 10),
    )
    services.device_deploy(
        actor=None,
        device=device,
        target=Target(kind=AssignmentKind.SITE, site=second),
        started_on=datetime.date(2024, 2, 1),
        reason="Spostata",
    )
    old, new = Assignment.objects.filter(device=device).order_by("started_on")
    assert (old.ended_on, old.end_reason) == (datetime.date(2024, 2, 1), "Spostata")
    assert new.ended_on is None
    assert new.site == second
    assert device.history.filter(to_status=DeviceStatus.DEPLOYED).count() == 1  # still deployed: no new step
    assert AuditEvent.objects.filter(action="inventory.device.moved").count() == 1
    with pytest.raises(ValidationError) as exc:
        services.device_deploy(
            actor=None,
            device=device,
            target=Target(kind=AssignmentKind.SITE, site=first),
            started_on=datetime.date(2024, 1, 1),
        )
    assert codes(exc.value, "started_on") == ["before_open"]


def test_leaving_deployed_closes_the_deployment(comuni):
    device = register(kind=DeviceKind.BODYCAM)
    services.device_deploy(actor=None, device=device, target=officer())
    device_transition(actor=None, device=device, to_status=DeviceStatus.FAULTY, reason="Non si accende")
    assignment = Assignment.objects.get(device=device)
    assert assignment.ended_on is not None
    assert assignment.end_reason == "Non si accende"


def test_the_database_allows_one_open_deployment_per_device(comuni):
    device = register(kind=DeviceKind.BODYCAM)
    services.device_deploy(actor=None, device=device, target=officer())
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            device=device,
            kind=AssignmentKind.OFFICER,
            police_unit="X",
            officer_service_number="99",
            started_on=datetime.date(2023, 1, 1),
        )


def test_a_faulty_or_ordered_device_cannot_be_deployed(comuni):
    device = register(kind=DeviceKind.BODYCAM, status=DeviceStatus.ORDERED)
    with pytest.raises(ValidationError) as exc:
        services.device_deploy(actor=None, device=device, target=officer())
    assert codes(exc.value, "status") == ["not_allowed"]
