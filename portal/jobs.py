"""Scheduling background work: always after the current transaction commits."""

from functools import partial

from django.conf import settings
from django.db import transaction


def enqueue(task, *args, **kwargs) -> None:
    """Send `task` once the surrounding transaction commits (at once when there is none).

    In the embedded mode (JOBS_EMBEDDED: no CELERY_BROKER_URL in the environment) Celery runs the
    task in-process, eagerly.
    """
    transaction.on_commit(partial(task.apply_async, args=args, kwargs=kwargs))


def broker_status() -> dict:
    """For /healthz: 'embedded' needs no server; otherwise try to reach the broker briefly."""
    if settings.JOBS_EMBEDDED:
        return {"status": "ok", "mode": "embedded"}
    from portal.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # any transport error means "down"
        return {"status": "error", "mode": "broker", "error": exc.__class__.__name__}
    return {"status": "ok", "mode": "broker"}
