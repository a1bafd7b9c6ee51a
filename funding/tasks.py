"""Thin tasks: fetch by id, call the service, own the retry policy."""

from celery import shared_task
from django.utils import timezone

from funding.services.allocation.act_pdfs import TASK, annex_generate, annex_requeue_stale


@shared_task(name=TASK, bind=True, max_retries=5)
def act_pdfs_generate(self, allocation_id: int) -> str | None:
    """Render and store the act's PDFs of adopted allocation `allocation_id`. A redelivered message
    for documents already generated does nothing; one for documents another live worker is
    generating comes back when that worker's claim would have run out."""
    run = annex_generate(allocation_id=allocation_id)
    if run.busy_until is not None and not self.request.is_eager:
        countdown = max(5, int((run.busy_until - timezone.now()).total_seconds()) + 5)
        raise self.retry(countdown=countdown)
    return run.allocation.annex_status if run.allocation is not None else None


@shared_task(name="funding.act_pdfs_requeue")
def act_pdfs_requeue() -> dict:
    """With the exports' clean-up (CELERY_BEAT_SCHEDULE): send again the act's PDFs a lost message
    or a dead worker left queued or running; those out of attempts become failed."""
    return annex_requeue_stale()
