"""Export jobs at work: one worker at a time, produced once, taken over when a worker dies, cleaned up.

- A worker takes a job with one conditional UPDATE (queued, or running with an expired lease), so two
  workers never both win, on SQLite as on PostgreSQL; a finished job is never run again.
- The worker proves it is alive by renewing its lease with each progress update (short separate
  transactions); when its lease was taken over, its late writes match no row and it stops.
- The file is written to a temporary file, then saved to the default storage under exports/.
- The clean-up deletes files past their retention and sends stuck jobs again (acks_late and
  reject_on_worker_lost redeliver a dead worker's message; this catches what is left).
"""

import hashlib
import logging
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from portal.audit import AuditEntry, audit_record, audit_record_many
from portal.jobs import enqueue
from reporting import conf
from reporting.choices import ExportStatus
from reporting.document import build_document
from reporting.models import ExportJob
from reporting.registry import ERROR_UNKNOWN_REPORT, get_report
from reporting.renderers import get_renderer
from reporting.services.exports import export_filename, organisation_of

logger = logging.getLogger(__name__)

ERROR_NO_LONGER_ALLOWED = _("The requester may no longer run this report.")
ERROR_GAVE_UP = _("The export was abandoned after %(attempts)s attempts.")
ERROR_TIME_LIMIT = _("The export took longer than the time allowed.")
ERROR_FAILED = _("The export could not be produced.")


class LeaseLost(Exception):
    """Another worker took the job over (this one was presumed dead): stop without writing."""


# --- execution ----------------------------------------------------------------------------------
@dataclass
class ExportRun:
    job: ExportJob | None
    ran: bool = False
    busy_until: datetime | None = None  # held by another live worker until then


def _lease(rows_done: int | None = None, rows_total: int | None = None):
    """How long a lease lasts from now. Once every row is read only layout/compression remains,
    with no progress to report: the lease then covers the task's whole time limit."""
    lease = conf.get("EXPORT_LEASE")
    if rows_total is not None and rows_done is not None and rows_done >= rows_total:
        lease = max(lease, timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 0)))
    return timezone.now() + lease


def _claim(job_id: int, token: str) -> tuple[bool, bool]:
    """Take the job for this worker. Returns (claimed, taken_over). One UPDATE decides, so two
    workers never both win, on SQLite as on PostgreSQL."""
    now = timezone.now()
    changes = {
        "status": ExportStatus.RUNNING,
        "lease_token": token,
        "lease_until": _lease(),
        "attempts": F("attempts") + 1,
        "started_at": now,
        "progress": 0,
        "rows_done": 0,
        "error": "",
    }
    under_limit = Q(attempts__lt=conf.get("EXPORT_MAX_ATTEMPTS"))
    if ExportJob.objects.filter(under_limit, pk=job_id, status=ExportStatus.QUEUED).update(**changes):
        return True, False
    with transaction.atomic():
        taken = ExportJob.objects.filter(
            under_limit, pk=job_id, status=ExportStatus.RUNNING, lease_until__lt=now
        ).update(**changes)
        if taken:
            job = ExportJob.objects.get(pk=job_id)
            audit_record(action="export.taken_over", target=job, after={"attempt": job.attempts})
    return bool(taken), bool(taken)


def _heartbeat(
    job_id: int, token: str, *, rows_done: int, rows_total: int | None, percent: int | None = None
) -> None:
    """Progress and lease renewal in one short UPDATE; fails if another worker took the job over.
    The bar follows the rows read, unless the renderer says where it is (`percent`: a PDF's layout)."""
    progress = 0
    if percent is not None:
        progress = max(0, min(99, percent))
    elif rows_total:
        progress = min(99, rows_done * 100 // rows_total)
    updated = ExportJob.objects.filter(pk=job_id, lease_token=token, status=ExportStatus.RUNNING).update(
        rows_done=rows_done,
        rows_total=rows_total,
        progress=progress,
        lease_until=_lease(rows_done, rows_total),
    )
    if not updated:
        raise LeaseLost(job_id)


def export_execute(*, job_id: int) -> ExportRun:
    """Run an export job once. Safe to call again: a finished job, or one another live worker
    holds, is left alone; one whose worker died (lease expired) is taken over from the start."""
    token = uuid.uuid4().hex
    claimed, _taken_over = _claim(job_id, token)
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None:
        return ExportRun(None)
    if not claimed:
        if job.status == ExportStatus.RUNNING and job.lease_until and job.lease_until >= timezone.now():
            return ExportRun(job, busy_until=job.lease_until)
        if job.status == ExportStatus.RUNNING:  # lease expired but no attempts left
            _give_up([job])
            job.refresh_from_db()
        return ExportRun(job)
    try:
        with translation.override(job.language):
            _produce(job, token)
    except LeaseLost:
        logger.warning("Export job %s was taken over by another worker; this run stops.", job_id)
    except Exception as exc:  # any failure of a report or renderer is recorded on the job
        logger.exception("Export job %s failed", job_id)
        _fail(job, token, exc)
    job.refresh_from_db()
    return ExportRun(job, ran=True)


def _produce(job: ExportJob, token: str) -> None:
    report = get_report(job.report_key)
    user = job.requested_by
    if not report.available_to(user):
        raise PermissionDenied(ERROR_NO_LONGER_ALLOWED)
    params = report.clean_params(job.params, user=user)
    rows_total = report.count(user=user, params=params)
    _heartbeat(job.pk, token, rows_done=0, rows_total=rows_total)
    document = build_document(report=report, user=user, params=params, rows_total=rows_total)
    renderer = get_renderer(job.format)
    filename = export_filename(report, job.format, document.generated_at)

    def progress(rows_done: int, percent: int | None = None) -> None:
        _heartbeat(job.pk, token, rows_done=rows_done, rows_total=max(rows_total, rows_done), percent=percent)

    with tempfile.TemporaryFile(prefix="sentinella-export-") as tmp:
        rows = renderer.write(document, tmp, progress=progress)
        size = tmp.tell()
        digest = _sha256(tmp)
        _heartbeat(job.pk, token, rows_done=rows, rows_total=rows)
        tmp.seek(0)
        stored = job.file.storage.save(
            job.file.field.generate_filename(job, f"{job.pk}-{token[:8]}-{filename}"), File(tmp)
        )
    now = timezone.now()
    with transaction.atomic():
        done = ExportJob.objects.filter(pk=job.pk, lease_token=token, status=ExportStatus.RUNNING).update(
            status=ExportStatus.DONE,
            file=stored,
            filename=filename,
            file_size=size,
            file_sha256=digest,
            progress=100,
            rows_done=rows,
            rows_total=rows,
            finished_at=now,
            expires_at=now + conf.get("EXPORT_RETENTION"),
            lease_until=None,
            lease_token="",
        )
        if done:
            audit_record(
                action="export.completed",
                actor=None,
                organisation=organisation_of(user),
                target=job,
                after={"rows": rows, "size": size, "sha256": digest, "file": filename},
            )
    if not done:
        job.file.storage.delete(stored)
        raise LeaseLost(job.pk)


def _sha256(fileobj) -> str:
    fileobj.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _error_message(exc: Exception) -> str:
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, SoftTimeLimitExceeded):
        return str(ERROR_TIME_LIMIT)
    if isinstance(exc, ValidationError | PermissionDenied) and exc.args:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        return " ".join(str(m) for m in messages)[:500]
    if isinstance(exc, ObjectDoesNotExist | LookupError):
        return str(ERROR_UNKNOWN_REPORT)
    return f"{ERROR_FAILED} ({exc.__class__.__name__})"[:500]


def _fail(job: ExportJob, token: str, exc: Exception) -> None:
    message = _error_message(exc)
    with transaction.atomic():
        failed = ExportJob.objects.filter(pk=job.pk, lease_token=token, status=ExportStatus.RUNNING).update(
            status=ExportStatus.FAILED,
            error=message,
            finished_at=timezone.now(),
            lease_until=None,
            lease_token="",
        )
        if failed:
            audit_record(action="export.failed", target=job, after={"error": message})


def _give_up(jobs: list[ExportJob]) -> int:
    """Jobs whose worker died once too often become failed (expired lease, no attempts left)."""
    now = timezone.now()
    entries = []
    with transaction.atomic():
        for job in jobs:
            message = str(ERROR_GAVE_UP % {"attempts": job.attempts})
            if ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING, lease_until__lt=now).update(
                status=ExportStatus.FAILED, error=message, finished_at=now, lease_until=None, lease_token=""
            ):
                entries.append(AuditEntry(action="export.failed", target=job, after={"error": message}))
        audit_record_many(entries)
    return len(entries)


# --- clean-up ----------------------------------------------------------------------------------------
@dataclass
class CleanupReport:
    expired: int = 0
    requeued: int = 0
    abandoned: int = 0


def export_cleanup(*, batch_size: int = 200) -> CleanupReport:
    """Delete files past their retention (jobs become expired); send stuck jobs again.

    Stuck means: running with an expired lease (its worker died) or queued for longer than
    EXPORT_QUEUED_STALE_AFTER (its message was lost). Jobs out of attempts are marked failed.
    """
    report = CleanupReport()
    now = timezone.now()

    while True:
        expired = ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lte=now)
        batch = list(expired.order_by("pk")[:batch_size])
        if not batch:
            break
        for job in batch:
            if job.file.name:
                job.file.storage.delete(job.file.name)
        with transaction.atomic(durable=True):
            entries = []
            for job in batch:
                if ExportJob.objects.filter(pk=job.pk, status=ExportStatus.DONE).update(
                    status=ExportStatus.EXPIRED, file=""
                ):
                    entries.append(
                        AuditEntry(action="export.expired", target=job, after={"file": job.filename})
                    )
            audit_record_many(entries)
        report.expired += len(entries)

    max_attempts = conf.get("EXPORT_MAX_ATTEMPTS")
    dead = ExportJob.objects.filter(status=ExportStatus.RUNNING, lease_until__lt=now)
    report.abandoned = _give_up(list(dead.filter(attempts__gte=max_attempts).order_by("pk")))

    stale = now - conf.get("EXPORT_QUEUED_STALE_AFTER")
    stuck = list(
        ExportJob.objects.filter(
            Q(status=ExportStatus.RUNNING, lease_until__lt=now, attempts__lt=max_attempts)
            | Q(status=ExportStatus.QUEUED, queued_at__lt=stale)
        ).order_by("pk")
    )
    with transaction.atomic(durable=True):
        entries = []
        for job in stuck:
            if ExportJob.objects.filter(
                Q(status=ExportStatus.RUNNING, lease_until__lt=now) | Q(status=ExportStatus.QUEUED),
                pk=job.pk,
            ).update(status=ExportStatus.QUEUED, queued_at=now, lease_until=None, lease_token=""):
                entries.append(
                    AuditEntry(
                        action="export.requeued",
                        target=job,
                        after={"was": job.status, "attempts": job.attempts},
                    )
                )
                enqueue("reporting.export_run", job.pk)
        audit_record_many(entries)
    report.requeued = len(entries)
    return report
