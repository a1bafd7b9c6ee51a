"""Devices: registration, funding source, the lifecycle table, history rows and audit events."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from inventory.choices import DeviceKind, DeviceStatus, FundingSource
from inventory.lifecycle import TRANSITIONS
from inventory.models import Device, DeviceStatusChange
from inventory.services import devices as services
from inventory.services.devices import Funding
from portal.audit import audit_verify_chain
from portal.choices import Role
from portal.models import AuditEvent
from portal.models.base import AppendOnlyError
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import make_commitment
from tests.inventory.factories import DeviceModelFactory, register

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError, field: str) -> list[str]:
    return [e.code for e in exc.error_dict[field]]


def test_register_writes_the_device_its_first_history_row_and_an_audit_event():
    commitment = make_commitment("5000.00")
    device = register(commitment=commitment, serial="BC-0001", asset_tag="RP-BC-0001")
    assert device.funding_source == FundingSource.GRANT
    assert device.commitment == commitment
    assert device.status == DeviceStatus.IN_STOCK
    (row,) = DeviceStatusChange.objects.filter(device=device)
    assert (row.from_status, row.to_status) == ("", DeviceStatus.IN_STOCK)
    event = AuditEvent.objects.get(action="inventory.device.registered")
    assert event.target_id == str(device.pk)
    assert event.organisation_id == commitment.beneficiary_id
    assert event.after["serial_number"] == "BC-0001"
    assert audit_verify_chain().ok


def test_every_error_of_a_registration_is_named_at_once_and_nothing_is_written():
    model = DeviceModelFactory()
    with pytest.raises(ValidationError) as exc:
        services.device_register(
            actor=None,
            owner=OrganisationFactory(),
            model=model,
            serial_number="  ",
            cost_net="-1",
            cost_vat=1.5,  # a float is never money
            funding=Funding(source=FundingSource.GRANT),
            purchase_date=datetime.date(2022, 5, 1),
            warranty_end=datetime.date(2022, 4, 1),
            status=DeviceStatus.DEPLOYED,
        )
    errors = exc.value.error_dict
    assert set(errors) == {"serial_number", "cost_net", "cost_vat", "commitment", "warranty_end", "status"}
    assert "zero o più" in exc.value.message_dict["cost_net"][0]
    assert Device.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="inventory.").exists()


def test_a_serial_already_on_a_grant_is_refused_naming_that_grant():
    first = make_commitment("5000.00")
    model = DeviceModelFactory()
    register(commitment=first, model=model, serial="EDR-42")
    second = make_commitment("5000.00")
    with pytest.raises(ValidationError) as exc:
        register(commitment=second, model=model, serial="EDR-42")
    assert codes(exc.value, "serial_number") == ["serial_on_grant"]
    message = exc.value.message_dict["serial_number"][0]
    assert f"n. {first.pk}" in message
    assert first.beneficiary.name in message
    assert Device.objects.count() == 1


def test_the_database_refuses_the_same_serial_twice_for_one_model():
    device = register(serial="X-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.create(
            owner=device.owner,
            model=device.model,
            serial_number="X-1",
            cost_net=1,
            cost_vat=0,
            funding_source=FundingSource.OWN_FUNDS,
        )


def test_the_database_refuses_a_grant_without_commitment_and_own_funds_with_one():
    device = register()
    commitment = make_commitment()
    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.filter(pk=device.pk).update(funding_source=FundingSource.GRANT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Device.objects.filter(pk=device.pk).update(commitment=commitment)


def test_a_grant_of_another_beneficiary_is_refused():
    commitment = make_commitment()
    with pytest.raises(ValidationError) as exc:
        register(owner=OrganisationFactory(), commitment=commitment)
    assert codes(exc.value, "commitment") == ["other_beneficiary"]


def test_an_eu_funded_device_names_its_project_line():
    with pytest.raises(ValidationError) as exc:
        register(funding=Funding(source=FundingSource.EU_PROJECT))
    assert codes(exc.value, "eu_reference") == ["required"]
    device = register(
        funding=Funding(source=FundingSource.EU_PROJECT, eu_reference="PACTESUR WP5 attrezzature")
    )
    assert device.eu_reference == "PACTESUR WP5 attrezzature"


def test_asset_tags_are_unique_when_set():
    register(asset_tag="RP-1")
    register(asset_tag="")
    register(asset_tag="")  # empty tags are not a clash
    with pytest.raises(ValidationError) as exc:
        register(asset_tag="RP-1")
    assert codes(exc.value, "asset_tag") == ["asset_tag_taken"]


ALL = list(DeviceStatus.values)


@pytest.mark.parametrize("from_status", [s for s in ALL if s != DeviceStatus.DEPLOYED])
@pytest.mark.parametrize("to_status", ALL)
def test_the_lifecycle_follows_its_table(from_status, to_status):
    device = register()
    Device.objects.filter(pk=device.pk).update(status=from_status)
    device.refresh_from_db()
    allowed = to_status in TRANSITIONS[from_status] and to_status != DeviceStatus.DEPLOYED
    history_before = DeviceStatusChange.objects.count()
    if allowed:
        services.device_transition(actor=None, device=device, to_status=to_status, reason="verifica")
        device.refresh_from_db()
        assert device.status == to_status
        row = DeviceStatusChange.objects.latest("pk")
        assert (row.from_status, row.to_status, row.reason) == (from_status, to_status, "verifica")
    else:
        with pytest.raises(ValidationError):
            services.device_transition(actor=None, device=device, to_status=to_status, reason="verifica")
        device.refresh_from_db()
        assert device.status == from_status
        assert DeviceStatusChange.objects.count() == history_before


def test_decommissioned_is_final_and_keeps_its_history():
    device = register()
    services.device_transition(
        actor=None, device=device, to_status=DeviceStatus.FAULTY, reason="schermo rotto"
    )
    services.device_transition(
        actor=None, device=device, to_status=DeviceStatus.DECOMMISSIONED, reason="rottamato"
    )
    with pytest.raises(ValidationError) as exc:
        services.device_transition(actor=None, device=device, to_status=DeviceStatus.IN_STOCK, reason="x")
    assert codes(exc.value, "to_status") == ["final"]
    with pytest.raises(ValidationError):
        services.device_update(actor=None, device=device, notes="ritrovato")
    steps = list(device.history.values_list("from_status", "to_status"))
    assert steps == [
        ("", DeviceStatus.IN_STOCK),
        (DeviceStatus.IN_STOCK, DeviceStatus.FAULTY),
        (DeviceStatus.FAULTY, DeviceStatus.DECOMMISSIONED),
    ]
    assert (
        AuditEvent.objects.filter(action="inventory.device.status_changed", target_id=str(device.pk)).count()
        == 2
    )


def test_a_faulty_device_needs_the_reason():
    device = register()
    with pytest.raises(ValidationError) as exc:
        services.device_transition(actor=None, device=device, to_status=DeviceStatus.FAULTY)
    assert codes(exc.value, "reason") == ["required"]


def test_history_rows_are_append_only():
    device = register()
    row = device.history.get()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        DeviceStatusChange.objects.filter(pk=row.pk).update(reason="riscritto")


def test_who_may_register_and_change_devices():
    owner = OrganisationFactory()
    region_manager = make_user(Role.INVENTORY_MANAGER, OrganisationFactory(kind="region"))
    own_staff = make_user(Role.APPLICANT, owner)
    other_staff = make_user(Role.APPLICANT, OrganisationFactory())
    official = make_user(Role.REGIONAL_OFFICIAL)
    auditor = make_user(Role.AUDITOR)
    for actor in (region_manager, own_staff):
        register(owner=owner, actor=actor)
    for actor in (other_staff, official, auditor):
        with pytest.raises(PermissionDenied):
            register(owner=owner, actor=actor)
    assert Device.objects.filter(owner=owner).count() == 2


def test_device_update_changes_details_and_audits_before_and_after():
    device = register(kind=DeviceKind.EDR)
    services.device_update(
        actor=None, device=device, warranty_end=datetime.date(2026, 6, 1), asset_tag="EDR-9"
    )
    device.refresh_from_db()
    assert device.asset_tag == "EDR-9"
    event = AuditEvent.objects.get(action="inventory.device.updated")
    assert event.before["asset_tag"] is None
    assert event.after["asset_tag"] == "EDR-9"
