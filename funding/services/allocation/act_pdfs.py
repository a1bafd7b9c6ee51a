"""The act's PDFs: the annex of an adopted allocation and, for a ranked call, its ranking, rendered
once after adoption, stored through Django's storage API and then served from storage.

- Scheduled when the adoption has committed (adopt.py, on commit) and produced by the Celery task
  funding.act_pdfs_generate (funding/tasks.py): adoption never renders inside its transaction.
- Once: a worker claims the allocation with one conditional UPDATE, as export jobs do; finished
  documents are never rendered again, so a second run or a retried task does nothing.
- Whole files only: each PDF is rendered into a temporary file, saved to storage, and only then
  referenced, by one conditional UPDATE that also checks this worker still holds its claim (its
  attempt number). A worker presumed dead that comes back finds its claim gone and deletes its own
  files; the files of a dead attempt are deleted when the next attempt starts.
- In Italian, the official language of the act, whoever adopted it and whoever downloads it.
- A failure is recorded on the allocation and audited, never raised to the adoption; an official
  may ask for the documents again. The hourly clean-up sends again what a lost message or a dead
  worker left queued or running.
"""

import hashlib
import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from funding.allocation_reports import annex_document, has_ranking, ranking_document
from funding.choices import AllocationStatus, AnnexStatus
from funding.models import Allocation
from portal.audit import AuditEntry, audit_record, audit_record_many
from portal.jobs import enqueue
from portal.models import User
from portal.permissions import LEDGER_WRITE, READ_ALL, can, require
from reporting.document import StoredDocument
from reporting.renderers import get_renderer
from reporting.services.exports import organisation_of

logger = logging.getLogger(__name__)

ACT_LANGUAGE = "it"  # the official language of the act
ANNEX = "annex"
RANKING = "ranking"
DOCUMENTS = (ANNEX, RANKING)
MAX_ATTEMPTS = 3
TASK = "funding.act_pdfs_generate"  # funding/tasks.py, sent by name: the task imports this module
# A queued job that has not started by then is sent again (its message was lost).
QUEUED_STALE_AFTER = timedelta(minutes=10)

ERROR_NOT_ADOPTED = _("Only an adopted allocation has the act's documents.")
ERROR_NO_RANKING = _("This allocation is not a ranking: it has no ranking document.")
ERROR_PENDING = _(
    "The PDF of the act is not generated yet: it is being prepared after the adoption. Try again in a minute."
)
ERROR_FAILED = _("The PDF of the act could not be generated: %(error)s")
ERROR_REGENERATE_NOT_FAILED = _(
    "The PDF of the act can be generated again only after a failure, or if it never was."
)
ERROR_GAVE_UP = _("Abandoned after %(attempts)s attempts.")
ERROR_RENDER = _("rendering failed (%(error)s)")


def _lease_for_work() -> datetime:
    """A worker holds its claim for the task's whole time limit: a PDF reports no progress while
    WeasyPrint lays it out."""
    limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", 900)
    return timezone.now() + timedelta(seconds=limit + 60)


def document_filename(allocation: Allocation, document: str) -> str:
    """The name under which a document is downloaded (Italian, like the act)."""
    stem = "graduatoria" if document == RANKING else "allegato"
    return f"{stem}-{allocation.call.code}-riparto-{allocation.round}.pdf"


# --- Scheduling --------------------------------------------------------------------------------------
def annex_schedule(*, allocation_id: int) -> bool:
    """Queue the act's PDFs of a just-adopted allocation. Does nothing once they are generated, being
    generated or failed (an official asks again for a failed one). Returns whether a job was sent."""
    Allocation.objects.filter(
        pk=allocation_id, status=AllocationStatus.ADOPTED, annex_status="", annex_pdf=""
    ).update(annex_status=AnnexStatus.PENDING, annex_lease_until=timezone.now() + QUEUED_STALE_AFTER)
    if not Allocation.objects.filter(pk=allocation_id, annex_status=AnnexStatus.PENDING).exists():
        return False
    enqueue(TASK, allocation_id)
    return True


# What an official may ask again: documents that failed, or that were never asked for (an act
# adopted before the documents existed, or while the reporting app was not installed).
REGENERABLE = (AnnexStatus.FAILED, "")


def may_regenerate(allocation: Allocation) -> bool:
    return allocation.status == AllocationStatus.ADOPTED and allocation.annex_status in REGENERABLE


def annex_regenerate(*, actor: User, allocation: Allocation) -> Allocation:
    """An official asks again for the act's PDFs after they failed (or if they were never asked for)."""
    require(actor, LEDGER_WRITE)
    with transaction.atomic(durable=True):
        asked = Allocation.objects.filter(
            pk=allocation.pk, status=AllocationStatus.ADOPTED, annex_status__in=REGENERABLE, annex_pdf=""
        ).update(
            annex_status=AnnexStatus.PENDING,
            annex_attempts=0,
            annex_error="",
            annex_lease_until=timezone.now() + QUEUED_STALE_AFTER,
        )
        if not asked:
            raise ValidationError(ERROR_REGENERATE_NOT_FAILED, code="not_failed")
        audit_record(
            action="allocation.annex_requested",
            actor=actor,
            organisation=organisation_of(actor),
            target=allocation,
            before={"annex_status": allocation.annex_status, "error": allocation.annex_error},
            after={"annex_status": AnnexStatus.PENDING},
        )
        enqueue(TASK, allocation.pk)
    allocation.refresh_from_db()
    return allocation


# --- Generating --------------------------------------------------------------------------------------
@dataclass
class AnnexRun:
    allocation: Allocation | None
    rendered: bool = False
    busy_until: datetime | None = None  # another live worker holds it until then


class ClaimLost(Exception):
    """Another worker took the allocation over (this one was presumed dead): stop, write nothing."""


def _claim(allocation_id: int) -> int | None:
    """Take the allocation for this worker; its attempt number, or None if there is nothing to do."""
    now = timezone.now()
    claimable = Q(annex_status__in=("", AnnexStatus.PENDING)) | Q(
        annex_status=AnnexStatus.RUNNING, annex_lease_until__lt=now
    )
    with transaction.atomic():
        claimed = (
            Allocation.objects.filter(
                claimable, pk=allocation_id, status=AllocationStatus.ADOPTED, annex_pdf=""
            )
            .filter(annex_attempts__lt=MAX_ATTEMPTS)
            .update(
                annex_status=AnnexStatus.RUNNING,
                annex_attempts=F("annex_attempts") + 1,
                annex_lease_until=_lease_for_work(),
                annex_error="",
            )
        )
        if not claimed:
            return None
        return Allocation.objects.values_list("annex_attempts", flat=True).get(pk=allocation_id)


def annex_generate(*, allocation_id: int) -> AnnexRun:
    """Render and store the act's PDFs of an adopted allocation, once. Safe to call again: generated
    documents, or documents another live worker is generating, are left alone; a dead worker's
    attempt is taken over from the start. Failures are recorded, not raised."""
    attempt = _claim(allocation_id)
    allocation = Allocation.objects.select_related("call", "adopted_by").filter(pk=allocation_id).first()
    if allocation is None:
        return AnnexRun(None)
    if attempt is None:
        now = timezone.now()
        lease = allocation.annex_lease_until
        if allocation.annex_status == AnnexStatus.RUNNING and lease and lease >= now:
            return AnnexRun(allocation, busy_until=lease)
        if allocation.annex_status == AnnexStatus.RUNNING:  # the claim expired, no attempts left
            _give_up([allocation])
            allocation.refresh_from_db()
        return AnnexRun(allocation)
    if attempt > 1:
        _delete_leftovers(allocation)
    stored: dict[str, tuple[str, str, int]] = {}
    try:
        with translation.override(ACT_LANGUAGE):
            for document, report_document in _documents(allocation):
                stored[document] = _render_and_store(allocation, document, report_document, attempt)
        _complete(allocation, attempt, stored)
    except ClaimLost:
        logger.warning("The act's PDFs of allocation %s were taken over by another worker.", allocation_id)
        _delete_files([name for name, _digest, _size in stored.values()], allocation)
    except Exception as exc:  # any failure of a report or renderer is recorded on the allocation
        logger.exception("The act's PDFs of allocation %s failed", allocation_id)
        _delete_files([name for name, _digest, _size in stored.values()], allocation)
        _fail(allocation, attempt, exc)
    allocation.refresh_from_db()
    return AnnexRun(allocation, rendered=allocation.annex_status == AnnexStatus.DONE)


def _documents(allocation: Allocation):
    yield ANNEX, annex_document(allocation)
    if has_ranking(allocation):
        yield RANKING, ranking_document(allocation)


def _render_and_store(allocation: Allocation, document: str, report_document, attempt: int):
    """Render into a temporary file; save it to storage whole. (stored name, SHA-256, size)."""
    field = Allocation._meta.get_field("annex_pdf" if document == ANNEX else "ranking_pdf")
    with tempfile.TemporaryFile(prefix="sentinella-act-") as tmp:
        get_renderer("pdf").write(report_document, tmp)
        size = tmp.tell()
        tmp.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: tmp.read(1024 * 1024), b""):
            digest.update(chunk)
        if not _still_mine(allocation.pk, attempt):
            raise ClaimLost(allocation.pk)
        tmp.seek(0)
        stem = document_filename(allocation, document).removesuffix(".pdf")
        name = field.generate_filename(allocation, f"{allocation.pk}/{stem}-{attempt}.pdf")
        stored = field.storage.save(name, File(tmp), max_length=field.max_length)
    return stored, digest.hexdigest(), size


def _still_mine(allocation_id: int, attempt: int) -> bool:
    return Allocation.objects.filter(
        pk=allocation_id, annex_status=AnnexStatus.RUNNING, annex_attempts=attempt, annex_pdf=""
    ).exists()


def _complete(allocation: Allocation, attempt: int, stored: dict[str, tuple[str, str, int]]) -> None:
    annex_name, annex_digest, annex_size = stored[ANNEX]
    ranking_name, ranking_digest, ranking_size = stored.get(RANKING, ("", "", 0))
    now = timezone.now()
    with transaction.atomic():
        done = Allocation.objects.filter(
            pk=allocation.pk, annex_status=AnnexStatus.RUNNING, annex_attempts=attempt, annex_pdf=""
        ).update(
            annex_pdf=annex_name,
            annex_sha256=annex_digest,
            ranking_pdf=ranking_name,
            ranking_sha256=ranking_digest,
            annex_status=AnnexStatus.DONE,
            annex_generated_at=now,
            annex_lease_until=None,
            annex_error="",
        )
        if not done:
            raise ClaimLost(allocation.pk)
        after = {
            "annex": {"file": annex_name, "sha256": annex_digest, "size": annex_size},
            "attempt": attempt,
        }
        if ranking_name:
            after["ranking"] = {"file": ranking_name, "sha256": ranking_digest, "size": ranking_size}
        audit_record(action="allocation.annex_generated", target=allocation, after=after)


def _error_message(exc: Exception) -> str:
    if isinstance(exc, SoftTimeLimitExceeded):
        return str(_("it took longer than the time allowed"))
    return str(ERROR_RENDER % {"error": exc.__class__.__name__})[:500]


def _fail(allocation: Allocation, attempt: int, exc: Exception) -> None:
    message = _error_message(exc)
    with transaction.atomic():
        failed = Allocation.objects.filter(
            pk=allocation.pk, annex_status=AnnexStatus.RUNNING, annex_attempts=attempt, annex_pdf=""
        ).update(annex_status=AnnexStatus.FAILED, annex_error=message, annex_lease_until=None)
        if failed:
            audit_record(
                action="allocation.annex_failed",
                target=allocation,
                after={"error": message, "attempt": attempt},
            )


def _give_up(allocations: list[Allocation]) -> int:
    """Allocations whose workers died too often become failed (an official may ask again)."""
    now = timezone.now()
    entries = []
    with transaction.atomic():
        for allocation in allocations:
            message = str(ERROR_GAVE_UP % {"attempts": allocation.annex_attempts})
            if Allocation.objects.filter(
                pk=allocation.pk, annex_status=AnnexStatus.RUNNING, annex_lease_until__lt=now, annex_pdf=""
            ).update(annex_status=AnnexStatus.FAILED, annex_error=message, annex_lease_until=None):
                entries.append(
                    AuditEntry(action="allocation.annex_failed", target=allocation, after={"error": message})
                )
        audit_record_many(entries)
    return len(entries)


def _folder(allocation: Allocation) -> str:
    field = Allocation._meta.get_field("annex_pdf")
    return field.generate_filename(allocation, f"{allocation.pk}/x.pdf").rsplit("/", 1)[0]


def _delete_leftovers(allocation: Allocation) -> None:
    """Files of an earlier attempt that died between saving and referencing them. Only called by
    the worker that now holds the claim, while no document is referenced."""
    storage = Allocation._meta.get_field("annex_pdf").storage
    folder = _folder(allocation)
    try:
        _dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    _delete_files([f"{folder}/{name}" for name in files], allocation)


def _delete_files(names: list[str], allocation: Allocation) -> None:
    storage = Allocation._meta.get_field("annex_pdf").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Could not delete %s of allocation %s", name, allocation.pk)


# --- Clean-up ----------------------------------------------------------------------------------------
def annex_requeue_stale() -> dict[str, int]:
    """Send again the act's PDFs left queued (lost message) or running (dead worker) past their
    time; those out of attempts become failed. Run by the hourly clean-up (funding.act_pdfs_requeue)."""
    now = timezone.now()
    stale = Allocation.objects.filter(
        status=AllocationStatus.ADOPTED,
        annex_status__in=(AnnexStatus.PENDING, AnnexStatus.RUNNING),
        annex_lease_until__lt=now,
    ).order_by("pk")
    abandoned = _give_up(
        list(stale.filter(annex_status=AnnexStatus.RUNNING, annex_attempts__gte=MAX_ATTEMPTS))
    )
    requeued = 0
    for allocation_id in stale.filter(annex_attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True):
        if Allocation.objects.filter(
            pk=allocation_id,
            annex_status__in=(AnnexStatus.PENDING, AnnexStatus.RUNNING),
            annex_lease_until__lt=now,
        ).update(annex_lease_until=now + QUEUED_STALE_AFTER):
            enqueue(TASK, allocation_id)
            requeued += 1
    return {"requeued": requeued, "abandoned": abandoned}


# --- Serving -----------------------------------------------------------------------------------------
def annex_download(*, user: User, allocation: Allocation, document: str) -> StoredDocument:
    """The stored PDF `document` (annex or ranking) of `allocation` for `user`, who must be allowed
    to see the allocation (the caller reads it through funding.selectors.allocation_list); records
    the download. Not generated yet or failed: ValidationError saying so."""
    if not can(user, READ_ALL):
        raise PermissionDenied
    if document not in DOCUMENTS or (document == RANKING and not has_ranking(allocation)):
        raise ValidationError(ERROR_NO_RANKING, code="no_document")
    if allocation.status != AllocationStatus.ADOPTED:
        raise ValidationError(ERROR_NOT_ADOPTED, code="not_adopted")
    if allocation.annex_status == AnnexStatus.FAILED:
        raise ValidationError(ERROR_FAILED, code="failed", params={"error": allocation.annex_error})
    fieldfile = allocation.annex_pdf if document == ANNEX else allocation.ranking_pdf
    if allocation.annex_status != AnnexStatus.DONE or not fieldfile.name:
        raise ValidationError(ERROR_PENDING, code="pending")
    digest = allocation.annex_sha256 if document == ANNEX else allocation.ranking_sha256
    with transaction.atomic(durable=True):
        audit_record(
            action="allocation.annex_downloaded",
            actor=user,
            organisation=organisation_of(user),
            target=allocation,
            after={"document": document, "sha256": digest},
        )
    return StoredDocument(file=fieldfile, filename=document_filename(allocation, document), sha256=digest)
