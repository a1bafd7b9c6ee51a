"""Verifying the audit chain without re-hashing it all in a request.

A check starts at the checkpoint (the newest event already verified, with its hash) and walks only
the events written since, then moves the checkpoint. Altering an event older than the checkpoint is
found by the full re-verification, a background job from event 1 with its progress; the page shows
the last one's result and date.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from portal.audit import ChainReport, audit_verify_chain
from portal.jobs import enqueue
from portal.models import AuditChainCheckpoint, AuditVerification, AuditVerificationStatus, User
from portal.permissions import READ_AUDIT, require

# A job whose worker has not reported for this long is presumed dead: a new one may be requested.
STALE_AFTER = datetime.timedelta(minutes=10)
# The most events a check verifies in a request (about 50 ms): a chain never checked, or long
# unchecked, is caught up a slice per visit (or at once by the full re-verification), not in one
# request that grew with the chain (5 s at 176,000 events: issue 14).
CHECK_LIMIT = 2000
ACTIVE = (AuditVerificationStatus.QUEUED, AuditVerificationStatus.RUNNING)


def _advance(report: ChainReport) -> None:
    """Move the checkpoint forward (never back: two checks at once both succeed). A check that found
    no new event leaves it as it is, with the date the events up to it were verified: a visit to the
    page of a chain already checked writes nothing (it wrote the checkpoint row twice, and the
    visits of two officials queued on its lock: issue 14)."""
    if not report.ok or not report.last_seq or not report.checked:
        return
    now = timezone.now()
    AuditChainCheckpoint.objects.get_or_create(singleton=1)
    AuditChainCheckpoint.objects.filter(singleton=1, seq__lt=report.last_seq).update(
        seq=report.last_seq, hash=report.last_hash, verified_at=now
    )
    AuditChainCheckpoint.objects.filter(singleton=1, seq=report.last_seq).update(verified_at=now)


def audit_check_since_checkpoint(*, limit: int | None = None) -> tuple[ChainReport, AuditChainCheckpoint]:
    """Verify the events written since the checkpoint, at most `limit` of them (CHECK_LIMIT unless
    told; the report says how many are left); return the result and the checkpoint the check started
    from (its seq: how far back the chain was already verified)."""
    limit = CHECK_LIMIT if limit is None else limit
    checkpoint = AuditChainCheckpoint.objects.filter(singleton=1).first() or AuditChainCheckpoint()
    report = audit_verify_chain(after_seq=checkpoint.seq, after_hash=checkpoint.hash, limit=limit)
    _advance(report)
    return report, checkpoint


def audit_verification_latest() -> AuditVerification | None:
    return AuditVerification.objects.select_related("requested_by").first()


def audit_verification_request(*, actor: User) -> AuditVerification:
    """Queue a full re-verification, unless one is already queued or running (and alive)."""
    require(actor, READ_AUDIT)
    with transaction.atomic():
        current = (
            AuditVerification.objects.select_for_update()
            .filter(status__in=ACTIVE, updated_at__gte=timezone.now() - STALE_AFTER)
            .first()
        )
        if current is not None:
            return current
        verification = AuditVerification.objects.create(requested_by=actor)
        enqueue("portal.audit_verify_full", verification.pk)
    return verification


def audit_verification_run(*, verification_id: int) -> AuditVerification:
    """The job: verify from event 1, saving the progress every chunk, then the result."""
    verification = AuditVerification.objects.get(pk=verification_id)
    if verification.status not in ACTIVE:
        return verification  # redelivered after it finished
    from portal.models import AuditChainHead

    head = AuditChainHead.objects.filter(singleton=1).first()
    verification.status = AuditVerificationStatus.RUNNING
    verification.started_at = timezone.now()
    verification.total = head.last_seq if head else 0
    verification.checked = 0
    verification.save(update_fields=["status", "started_at", "total", "checked", "updated_at"])

    def progress(checked: int) -> None:
        AuditVerification.objects.filter(pk=verification.pk).update(
            checked=checked, updated_at=timezone.now()
        )

    try:
        report = audit_verify_chain(progress=progress)
    except Exception:
        verification.status = AuditVerificationStatus.FAILED
        verification.finished_at = timezone.now()
        verification.save(update_fields=["status", "finished_at", "updated_at"])
        raise
    _advance(report)
    verification.status = AuditVerificationStatus.DONE
    verification.finished_at = timezone.now()
    verification.checked = report.checked
    verification.ok = report.ok
    verification.first_broken_seq = report.first_broken_seq
    verification.reason = report.reason
    verification.save()
    return verification
