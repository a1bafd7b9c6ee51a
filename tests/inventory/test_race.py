"""Concurrency on PostgreSQL: two people deploying or registering at the same instant never break
the invariants (one open deployment per device; one grant per piece of hardware)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from inventory.choices import AssignmentKind, DeviceKind, DeviceStatus
from inventory.models import Assignment, Device
from inventory.services.deployment import device_deploy
from inventory.services.devices import device_transition
from tests.factories import OrganisationFactory
from tests.funding.factories import make_commitment
from tests.funding.test_ledger_race import race
from tests.inventory.factories import DeviceModelFactory, officer, register
from tests.utils import requires_postgres

pytestmark = [pytest.mark.postgres, requires_postgres]
REQUESTS = 12


@pytest.mark.django_db(transaction=True)
def test_concurrent_deployments_leave_one_open_deployment(comuni):
    device = register(kind=DeviceKind.BODYCAM)

    def deploy(i):
        return device_deploy(actor=None, device=device, target=officer(number=f"PL-{i:04d}"))

    results = race(deploy, REQUESTS)
    others = [r for r in results if not isinstance(r, Assignment | ValidationError)]
    assert others == []  # no IntegrityError, no deadlock reaches the caller
    assert Assignment.objects.filter(device=device, ended_on__isnull=True).count() == 1
    assert Assignment.objects.filter(device=device).count() == sum(isinstance(r, Assignment) for r in results)
    device.refresh_from_db()
    assert device.status == DeviceStatus.DEPLOYED
    assert device.history.filter(to_status=DeviceStatus.DEPLOYED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_deploy_and_fault_never_leave_a_faulty_device_deployed(comuni):
    device = register(kind=DeviceKind.BODYCAM)

    def act(i):
        if i % 2:
            return device_transition(
                actor=None, device=device, to_status=DeviceStatus.FAULTY, reason="guasto"
            )
        return device_deploy(actor=None, device=device, target=officer(number=f"PL-{i:04d}"))

    race(act, REQUESTS)
    device.refresh_from_db()
    open_count = Assignment.objects.filter(device=device, ended_on__isnull=True).count()
    assert open_count == (1 if device.status == DeviceStatus.DEPLOYED else 0)


@pytest.mark.django_db(transaction=True)
def test_the_same_serial_registered_on_many_grants_at_once_lands_on_one(comuni):
    model = DeviceModelFactory(kind=DeviceKind.EDR)
    commitments = [make_commitment("2000.00") for _ in range(REQUESTS)]

    def claim(i):
        return register(commitment=commitments[i], model=model, serial="EDR-SAME-1")

    results = race(claim, REQUESTS)
    devices = [r for r in results if isinstance(r, Device)]
    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert len(devices) == 1
    assert len(refusals) == REQUESTS - 1
    winner = devices[0].commitment_id
    assert all(f"n. {winner}" in r.message_dict["serial_number"][0] for r in refusals)


@pytest.mark.django_db(transaction=True)
def test_the_open_deployment_index_exists_in_postgresql(comuni):
    device = register(kind=DeviceKind.BODYCAM, owner=OrganisationFactory())
    device_deploy(actor=None, device=device, target=officer())
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            device=device,
            kind=AssignmentKind.OFFICER,
            police_unit="X",
            officer_service_number="77",
            started_on=device.assignments.get().started_on,
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'inventory_assignment_one_open_per_device'"
        )
        assert "WHERE (ended_on IS NULL)" in cursor.fetchone()[0]
