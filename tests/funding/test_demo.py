"""The demo tells the three pilots: COVID split proposed, body-cam admitted and proposed, taxi open."""

import io

import pytest
from django.utils import timezone

from funding import demo
from funding.choices import AllocationStatus, ApplicationStatus, CallStatus
from funding.models import Allocation, Application, Call, Commitment
from portal import demo as portal_demo
from portal.models import AuditEvent


@pytest.mark.django_db
def test_seed_is_idempotent_and_leaves_the_pilots_in_telling_states(comuni):
    portal_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    counts = (Call.objects.count(), Allocation.objects.count(), Application.objects.count())
    events = AuditEvent.objects.count()
    demo.seed(io.StringIO())
    assert (Call.objects.count(), Allocation.objects.count(), Application.objects.count()) == counts
    assert AuditEvent.objects.count() == events
    covid = Call.objects.get(code="covid-19-polizia-locale")
    proposal = covid.allocations.get()
    assert (proposal.status, proposal.rows.count(), proposal.allocated_total) == (
        AllocationStatus.PROPOSED,
        1181,
        covid.reservation.amount,
    )
    bodycam = Call.objects.get(code="body-cam-polizia-locale")
    assert bodycam.status == CallStatus.CLOSED
    assert set(bodycam.applications.values_list("status", flat=True)) == {ApplicationStatus.ADMISSIBLE}
    assert bodycam.applications.count() == 16
    assert bodycam.allocations.get().status == AllocationStatus.PROPOSED
    taxi = Call.objects.get(code="taxi-registratori-evento")
    assert taxi.status == CallStatus.PUBLISHED
    assert taxi.closes_at > timezone.now()
    assert taxi.applications.filter(status=ApplicationStatus.SUBMITTED).count() == 3
    assert taxi.applications.filter(status=ApplicationStatus.DRAFT).count() == 1
    assert not Commitment.objects.exists()  # ready to adopt: nothing committed yet
    assert (
        AuditEvent.objects.filter(
            action="application.admissible", actor__email__startswith="funzionario"
        ).count()
        == 16
    )
