"""The daily reminders task on a real Celery worker and broker (run by .ci/run with a worker of
concurrency 2): sent twice at once, each reminder still goes once, its e-mail sent by the worker."""

import datetime
import os
import time

import pytest
from django.utils import timezone

from portal.models import Notification
from projects.models import Reminder
from projects.months import month_of
from projects.services.workplan import deliverable_create, work_package_create
from projects.tasks import send_reminders
from tests.factories import OrganisationFactory
from tests.projects.factories import dtype, level, make_project, manager_of

needs_worker = pytest.mark.skipif(
    os.environ.get("SENTINELLA_WORKER_TESTS") != "1",
    reason="needs a running Celery worker and broker (SENTINELLA_WORKER_TESTS=1, see .ci/run)",
)


@pytest.mark.worker
@needs_worker
def test_reminders_task_twice_at_once_on_the_worker_sends_once(transactional_db, comuni, settings):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    coordinator = OrganisationFactory(name="Comune di Torino")
    start = (timezone.localdate() - datetime.timedelta(days=100)).replace(day=1)
    project = make_project(coordinator=coordinator, partners=0, start=start, periods=((1, 36),))
    manager = manager_of(coordinator)
    lead = project.partners.get()
    now = month_of(start, timezone.localdate())
    wp = work_package_create(actor=None, project=project, title="WP", lead=lead, start_month=1, end_month=36)
    deliverable_create(
        actor=None,
        work_package=wp,
        title="Due this month",
        lead=lead,
        type=dtype(project),
        dissemination=level(project),
        due_month=now,
    )
    send_reminders.apply_async()
    send_reminders.apply_async()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        sent = Notification.objects.filter(recipient=manager.email, sent_at__isnull=False).count()
        if sent and Reminder.objects.count() == 1:
            time.sleep(2)  # let the second task finish too
            break
        time.sleep(0.3)
    assert Reminder.objects.count() == 1
    assert Notification.objects.filter(recipient=manager.email).count() == 1
    assert Notification.objects.get(recipient=manager.email).sent_at is not None
