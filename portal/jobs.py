"""Scheduling background work: always after the current transaction commits."""

from functools import partial

from django.conf import settings
from django.db import transaction


def enqueue(task, *args, **kwargs) -> None:
    """Send `task` (a task, or the name of a registered one) once the surrounding transaction
    commits (at once when there is none). A service sends its own app's task by name, so that the
    tasks module may import the service without an import cycle.

    A worker runs it: on Redis when CELERY_BROKER_URL says so, else on the embedded folder broker
    (var/broker/) that `make run` starts a worker for. Unit tests run it in-process (eager).
    """
    if isinstance(task, str):
        from portal.celery import app

        task = app.tasks[task]
    transaction.on_commit(partial(task.apply_async, args=args, kwargs=kwargs))


def broker_status() -> dict:
    """For the readiness probe: can a message be handed to the broker right now?"""
    from portal.celery import app

    mode = "embedded" if settings.JOBS_EMBEDDED else "broker"
    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # any transport error means "down"
        return {"status": "error", "mode": mode, "error": exc.__class__.__name__}
    return {"status": "ok", "mode": mode}


def worker_status() -> dict:
    """For the readiness probe and the pages: when a worker last noted that it is alive."""
    from portal.workers import jobs_run_in_process, worker_last_seen, worker_seen_recently

    if jobs_run_in_process():
        return {"status": "ok", "mode": "in-process"}
    seen = worker_last_seen()
    return {
        "status": "ok" if worker_seen_recently() else "error",
        "last_seen": seen[0].isoformat() if seen else None,
        "hostname": seen[1] if seen else None,
    }
