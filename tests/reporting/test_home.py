"""The auditor's home: their latest exports (nobody else's) and the audit chain's status, cheaply."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.audit import audit_record
from portal.choices import Role
from reporting.choices import ExportFormat, ExportStatus
from reporting.home import auditor_queue
from tests.factories import make_user
from tests.reporting.factories import ExportJobFactory

pytestmark = pytest.mark.django_db


def test_the_auditor_sees_their_latest_exports_and_the_chain(client):
    auditor = make_user(Role.AUDITOR)
    other = make_user(Role.AUDITOR)
    done = ExportJobFactory(
        requested_by=auditor, status=ExportStatus.DONE, file="exports/a.xlsx", format=ExportFormat.XLSX
    )
    ExportJobFactory(requested_by=auditor, status=ExportStatus.RUNNING, lease_until=done.queued_at)
    theirs = ExportJobFactory(requested_by=other, status=ExportStatus.DONE, file="exports/b.csv")
    for i in range(3):
        audit_record(action="test.event", after={"i": i})

    client.force_login(auditor)
    response = client.get(reverse("home"))
    html = response.content.decode()
    queue = response.context["queue"]
    assert (queue.exports_ready, queue.exports_running) == (1, 1)
    assert 'data-count="ready">1<' in html
    assert 'data-count="running">1<' in html
    assert reverse("reporting:job_download", args=[done.pk]) in html
    assert reverse("reporting:job_detail", args=[theirs.pk]) not in html
    # The chain: its length and newest event from the head, and the way to verify it.
    assert queue.chain.events >= 3
    assert f'data-count="events">{queue.chain.events}<' in html
    assert f"Il più recente è il n. {queue.chain.newest.seq}" in html
    assert reverse("reporting:audit_verify") in html
    assert "non è mai stata verificata di nuovo dal primo evento" in html
    # After a check from the verify page the home says how far the chain was verified.
    client.get(reverse("reporting:audit_verify"))
    html = client.get(reverse("home")).content.decode()
    assert f"Gli eventi fino al n. {queue.chain.events} erano stati verificati" in html
    assert reverse("reporting:job_list") in html


def test_the_auditors_home_costs_the_same_queries_whatever_the_chain_and_exports():
    auditor = make_user(Role.AUDITOR)
    auditor_queue(user=auditor)  # the user's roles are read once and kept on the user
    with CaptureQueriesContext(connection) as small:
        auditor_queue(user=auditor)
    for i in range(30):
        audit_record(action="test.event", after={"i": i})
        ExportJobFactory(requested_by=auditor)
    with CaptureQueriesContext(connection) as large:
        queue = auditor_queue(user=auditor)
    # latest exports, their counts, the chain's head, newest event, checkpoint, latest re-verification
    assert len(large) == len(small) == 6
    assert len(queue.exports) == 5


def test_an_auditor_with_no_exports_is_told_so(client):
    client.force_login(make_user(Role.AUDITOR))
    assert "Non hai esportazioni." in client.get(reverse("home")).content.decode()
