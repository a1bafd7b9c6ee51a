"""Are background jobs being worked on? Each Celery worker notes in the shared cache that it is alive
(a bootstep, every WORKER_NOTE_EVERY seconds); pages and the readiness probe read the note.

The cache is shared by every process (database table or Redis, see CACHES), so a web process sees the
note of a worker running elsewhere. In eager mode (unit tests) jobs run in-process: always "seen".
"""

import logging
from datetime import datetime

from celery import bootsteps
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

WORKER_SEEN_KEY = "sentinella:worker-seen"
WORKER_NOTE_EVERY = 15.0  # seconds; well inside WORKER_SEEN_WITHIN (a minute)


def note_worker_alive(hostname: str) -> None:
    try:
        cache.set(WORKER_SEEN_KEY, {"at": timezone.now().isoformat(), "hostname": hostname}, timeout=None)
    except Exception:  # a cache hiccup must not stop the worker; the next note will tell
        logger.warning("Could not note that worker %s is alive", hostname, exc_info=True)


def worker_last_seen() -> tuple[datetime, str] | None:
    note = cache.get(WORKER_SEEN_KEY)
    if not note:
        return None
    return datetime.fromisoformat(note["at"]), note.get("hostname", "")


def jobs_run_in_process() -> bool:
    from portal.celery import app

    return bool(app.conf.task_always_eager)


def worker_seen_recently() -> bool:
    """True when a worker noted itself within WORKER_SEEN_WITHIN (or jobs run in-process)."""
    if jobs_run_in_process():
        return True
    seen = worker_last_seen()
    return seen is not None and timezone.now() - seen[0] <= settings.WORKER_SEEN_WITHIN


class WorkerPresence(bootsteps.StartStopStep):
    """A worker bootstep: note at start, then every WORKER_NOTE_EVERY seconds on the worker's timer."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker):
        note_worker_alive(worker.hostname)
        self.tref = worker.timer.call_repeatedly(WORKER_NOTE_EVERY, note_worker_alive, (worker.hostname,))

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
