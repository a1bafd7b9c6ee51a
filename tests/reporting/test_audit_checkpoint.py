"""The audit chain's verification is incremental: a check costs the events written since the last
verified checkpoint; the full re-verification from event 1 is a background job with its progress,
and the page shows its last result with the date (issue 14)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.audit import audit_record, audit_verify_chain
from portal.audit_checks import audit_check_since_checkpoint, audit_verification_run
from portal.choices import Role
from portal.models import AuditChainCheckpoint, AuditChainHead, AuditVerification, AuditVerificationStatus
from tests.factories import make_user
from tests.reporting.test_audit_pages import EN, tamper

pytestmark = pytest.mark.django_db
URL = "reporting:audit_verify"


def _record(n: int) -> list:
    return [audit_record(action="test.event", after={"n": i}) for i in range(n)]


def test_a_check_costs_only_the_events_since_the_checkpoint():
    _record(30)
    first, start = audit_check_since_checkpoint()
    head = AuditChainHead.objects.get()
    assert first.ok
    assert start.seq == 0
    assert first.checked == head.last_seq
    _record(5)
    second, start = audit_check_since_checkpoint()
    assert second.ok
    assert second.checked == 5
    assert start.seq == head.last_seq
    checkpoint = AuditChainCheckpoint.objects.get()
    assert checkpoint.seq == head.last_seq + 5
    assert checkpoint.hash == AuditChainHead.objects.get().last_hash
    assert checkpoint.verified_at is not None


def test_the_page_costs_the_same_for_a_short_and_a_long_chain(client, auditor):
    client.force_login(auditor)
    url = reverse(URL)
    counts = []
    for size in (10, 300):
        _record(size)
        client.get(url)  # verifies up to now: the checkpoint
        _record(3)
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url, **EN).content.decode()
        assert "The chain is intact: 3 events verified since the last check." in html
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_long_unchecked_chain_is_caught_up_a_slice_per_visit(client, auditor, monkeypatch):
    """A chain never checked (or long unchecked) is not re-hashed whole in one request: each visit
    verifies at most CHECK_LIMIT events, moves the checkpoint and says how many are left."""
    client.force_login(auditor)
    url = reverse(URL)
    audit_check_since_checkpoint(limit=10)  # whatever the fixtures recorded, then 25 more
    _record(25)
    head = AuditChainHead.objects.get()
    report, start = audit_check_since_checkpoint(limit=10)
    assert (report.ok, report.checked, report.remaining) == (True, 10, head.last_seq - start.seq - 10)
    assert AuditChainCheckpoint.objects.get().seq == start.seq + 10
    monkeypatch.setattr("portal.audit_checks.CHECK_LIMIT", 10)
    monkeypatch.setattr("reporting.views.audit.CHECK_LIMIT", 10)
    html = client.get(url, **EN).content.decode()
    assert "The chain is intact: 10 events verified since the last check." in html
    assert f"The events up to no. {start.seq + 20} are verified; 5 newer events are still to verify." in html
    assert "Each visit of this page verifies up to 10 more" in html
    last, _ = audit_check_since_checkpoint(limit=10)
    assert (last.ok, last.checked, last.remaining) == (True, 5, 0)
    assert AuditChainCheckpoint.objects.get().seq == AuditChainHead.objects.get().last_seq


def test_a_visit_to_a_chain_already_checked_writes_nothing_and_keeps_the_date(client, auditor):
    client.force_login(auditor)
    _record(4)
    client.get(reverse(URL))  # verifies up to now: the checkpoint and its date
    checkpoint = AuditChainCheckpoint.objects.get()
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse(URL), **EN).content.decode()
    assert "The chain is intact: 0 events verified since the last check." in html
    assert not [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert AuditChainCheckpoint.objects.get().verified_at == checkpoint.verified_at
    _record(2)
    client.get(reverse(URL))
    moved = AuditChainCheckpoint.objects.get()
    assert moved.seq == checkpoint.seq + 2
    assert moved.verified_at > checkpoint.verified_at


def test_a_break_within_the_slice_is_found_and_beyond_it_on_a_later_visit():
    events = _record(6)
    tamper(events[4], {"forged": True})
    checkpoint = AuditChainCheckpoint.objects.filter(singleton=1).first()
    start = checkpoint.seq if checkpoint else 0
    ahead = events[3].seq - start  # up to the event before the forged one
    report, _ = audit_check_since_checkpoint(limit=ahead)
    assert report.ok
    assert report.remaining == 2
    report, _ = audit_check_since_checkpoint(limit=ahead)
    assert not report.ok
    assert report.first_broken_seq == events[4].seq


def test_a_break_after_the_checkpoint_is_found_at_once_and_the_checkpoint_stays(client, auditor):
    client.force_login(auditor)
    _record(4)
    client.get(reverse(URL))
    checkpoint = AuditChainCheckpoint.objects.get()
    newer = _record(3)
    tamper(newer[1], {"forged": True})
    html = client.get(reverse(URL), **EN).content.decode()
    assert f"The chain is broken at event no. {newer[1].seq}" in html
    assert "1 event before it verified." in html
    assert AuditChainCheckpoint.objects.get().seq == checkpoint.seq


def test_full_reverification_reports_progress_then_its_result():
    _record(10)
    seen = []
    report = audit_verify_chain(chunk_size=3, progress=seen.append)
    assert report.ok
    assert seen == [3, 6, 9]
    verification = AuditVerification.objects.create()
    done = audit_verification_run(verification_id=verification.pk)
    assert done.status == AuditVerificationStatus.DONE
    assert done.ok
    assert done.checked == done.total == AuditChainHead.objects.get().last_seq
    assert done.percent == 100
    assert done.finished_at is not None
    # Delivered again after it finished: nothing is re-run.
    assert audit_verification_run(verification_id=verification.pk).finished_at == done.finished_at


def test_a_second_request_while_one_runs_joins_it(client, auditor):
    client.force_login(auditor)
    _record(2)
    client.post(reverse(URL))  # the test transaction holds the job back (on_commit): it stays queued
    client.post(reverse(URL))
    assert AuditVerification.objects.count() == 1
    html = client.get(reverse(URL), **EN).content.decode()
    assert "reporting/audit-verify.js" in html
    assert "Re-verify the whole chain" not in html
    status = client.get(reverse("reporting:audit_verify_status")).json()
    assert status["status"] == "queued"
    assert status["finished"] is False


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("anonymous", False), ("applicant", False), ("auditor", True), ("official", True)],
)
def test_who_may_request_a_full_reverification(client, who, allowed):
    if who != "anonymous":
        role = {"applicant": Role.APPLICANT, "auditor": Role.AUDITOR, "official": Role.REGIONAL_OFFICIAL}[who]
        client.force_login(make_user(role))
    response = client.post(reverse(URL))
    status = client.get(reverse("reporting:audit_verify_status")).status_code
    if allowed:
        assert response.status_code == 302
        assert status == 200
        assert AuditVerification.objects.count() == 1
    else:
        assert response.status_code in (302, 403)
        assert status in (302, 403)
        assert AuditVerification.objects.count() == 0
        if who == "anonymous":
            assert "/accounts/login/" in response["Location"]
