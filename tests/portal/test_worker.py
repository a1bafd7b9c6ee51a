"""A task through a real Celery worker on the real broker (run by .ci/run with a worker up)."""

import os
import time
import uuid

import pytest

from portal.models import AuditEvent
from portal.tasks import HEARTBEAT_ACTION, worker_heartbeat

needs_worker = pytest.mark.skipif(
    os.environ.get("SENTINELLA_WORKER_TESTS") != "1",
    reason="needs a running Celery worker and broker (SENTINELLA_WORKER_TESTS=1, see .ci/run)",
)


def test_heartbeat_task_is_idempotent_in_embedded_mode(db):
    token = uuid.uuid4().hex
    assert worker_heartbeat.apply(args=[token]).get() is True
    assert worker_heartbeat.apply(args=[token]).get() is False
    event = AuditEvent.objects.get(action=HEARTBEAT_ACTION, after__token=token)
    assert event.source == "job"


@pytest.mark.worker
@needs_worker
def test_task_runs_on_a_real_worker(transactional_db, settings):
    assert settings.CELERY_BROKER_URL
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    token = uuid.uuid4().hex
    worker_heartbeat.apply_async(args=[token])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if AuditEvent.objects.filter(action=HEARTBEAT_ACTION, after__token=token).exists():
            break
        time.sleep(0.2)
    event = AuditEvent.objects.get(action=HEARTBEAT_ACTION, after__token=token)
    assert event.source == "job"
