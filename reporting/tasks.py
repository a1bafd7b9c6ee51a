"""Thin tasks: fetch by id, call the service, own the retry policy."""

from celery import shared_task
from celery.signals import worker_process_init
from django.utils import timezone

from reporting.services.annex import annex_generate, annex_requeue_stale
from reporting.services.jobs import export_cleanup as _export_cleanup
from reporting.services.jobs import export_execute


@worker_process_init.connect
def preload_pdf_renderer(**kwargs) -> None:
    """Each worker process imports WeasyPrint when it starts, not during its first PDF."""
    from reporting.renderers.pdf import preload

    preload()


@shared_task(name="reporting.export_run", bind=True, max_retries=5)
def export_run(self, job_id: int) -> str | None:
    """Produce export job `job_id`. A redelivered message for a finished job does nothing; one for a
    job another live worker holds comes back when that worker's lease would have run out."""
    run = export_execute(job_id=job_id)
    if run.busy_until is not None and not self.request.is_eager:
        countdown = max(5, int((run.busy_until - timezone.now()).total_seconds()) + 5)
        raise self.retry(countdown=countdown)
    return run.job.status if run.job is not None else None


@shared_task(name="reporting.allocation_annex", bind=True, max_retries=5)
def allocation_annex(self, allocation_id: int) -> str | None:
    """Render and store the act's PDFs of adopted allocation `allocation_id`. A redelivered message
    for documents already generated does nothing; one for documents another live worker is
    generating comes back when that worker's claim would have run out."""
    run = annex_generate(allocation_id=allocation_id)
    if run.busy_until is not None and not self.request.is_eager:
        countdown = max(5, int((run.busy_until - timezone.now()).total_seconds()) + 5)
        raise self.retry(countdown=countdown)
    return run.allocation.annex_status if run.allocation is not None else None


@shared_task(name="reporting.export_cleanup")
def export_cleanup() -> dict:
    """Hourly (CELERY_BEAT_SCHEDULE): delete expired files, requeue stuck jobs and act PDFs."""
    report = _export_cleanup()
    annexes = annex_requeue_stale()
    return {
        "expired": report.expired,
        "requeued": report.requeued,
        "abandoned": report.abandoned,
        "annexes_requeued": annexes["requeued"],
        "annexes_abandoned": annexes["abandoned"],
    }
