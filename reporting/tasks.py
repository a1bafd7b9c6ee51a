"""Thin tasks: fetch by id, call the service, own the retry policy."""

from celery import shared_task
from celery.signals import worker_process_init
from django.utils import timezone

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


@shared_task(name="reporting.export_cleanup")
def export_cleanup() -> dict:
    """Hourly (CELERY_BEAT_SCHEDULE): delete expired files, requeue stuck jobs."""
    report = _export_cleanup()
    return {"expired": report.expired, "requeued": report.requeued, "abandoned": report.abandoned}
