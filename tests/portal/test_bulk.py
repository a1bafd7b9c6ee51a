"""portal.bulk: many rows in a few statements, stored exactly as bulk_create and save() store them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.bulk import bulk_insert, bulk_set
from portal.choices import OrganisationKind
from portal.models import AuditEvent, Organisation
from portal.models.audit import AuditSource

pytestmark = pytest.mark.django_db


def test_bulk_insert_sets_the_keys_and_stores_every_value_as_given():
    organisation = Organisation.objects.create(kind=OrganisationKind.OTHER, name="Ente di Alba")
    now = timezone.now()
    events = [
        AuditEvent(
            seq=1000 + n,
            created_at=now,
            organisation_id=organisation.pk if n % 2 else None,
            action="test.bulk",
            target_id=str(n),
            before=None,
            after={"n": n, "nested": {"amount": "12.50", "list": [1, None]}, "text": "l'«esempio»"},
            source=AuditSource.SYSTEM,
            ip_address="192.0.2.1" if n == 0 else None,
            hash=f"{n:064d}",
        )
        for n in range(3)
    ]
    with CaptureQueriesContext(connection) as queries:
        bulk_insert(events)
    assert len(queries) == 1  # one statement for the batch
    assert all(e.pk is not None and not e._state.adding for e in events)
    stored = {e.pk: e for e in AuditEvent.objects.filter(action="test.bulk")}
    assert set(stored) == {e.pk for e in events}
    for event in events:
        row = stored[event.pk]
        assert (row.seq, row.target_id, row.organisation_id) == (
            event.seq,
            event.target_id,
            event.organisation_id,
        )
        assert row.after == event.after
        assert row.before is None
        assert row.source == "system"
        assert row.created_at == now
    assert stored[events[0].pk].ip_address == "192.0.2.1"


def test_bulk_insert_fills_auto_now_fields_and_decimal_defaults():
    from funding.models import Commitment
    from tests.funding.factories import make_reservation

    reservation = make_reservation("100.00")
    organisation = Organisation.objects.create(kind=OrganisationKind.OTHER, name="Ente di Bra")
    commitments = [
        Commitment(
            reservation=reservation,
            beneficiary_id=organisation.pk,
            amount=Decimal(amount),
            act_number="12",
            act_date=timezone.localdate(),
        )
        for amount in ("10.00", "0.01")
    ]
    bulk_insert(commitments)
    stored = list(Commitment.objects.filter(reservation=reservation).order_by("pk"))
    assert [c.pk for c in stored] == [c.pk for c in commitments]
    assert [c.amount for c in stored] == [Decimal("10.00"), Decimal("0.01")]
    assert all(c.created_at is not None and c.liquidated_total == 0 for c in stored)


def test_bulk_set_writes_each_row_its_own_value():
    organisations = [Organisation.objects.create(kind=OrganisationKind.OTHER, name=f"C{n}") for n in range(5)]
    with CaptureQueriesContext(connection) as queries:
        bulk_set(Organisation, "name", [(o.pk, f"Comune {o.pk}") for o in organisations[:4]], batch_size=3)
    assert len(queries) == 2  # batches of 3
    names = dict(Organisation.objects.filter(pk__in=[o.pk for o in organisations]).values_list("pk", "name"))
    assert names == {**{o.pk: f"Comune {o.pk}" for o in organisations[:4]}, organisations[4].pk: "C4"}


def test_nothing_to_write_sends_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert bulk_insert([]) == []
        bulk_set(Organisation, "name", [])
    assert len(queries) == 0
