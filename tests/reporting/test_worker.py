"""An export job through a real Celery worker on the real broker (run by .ci/run with a worker up)."""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from openpyxl import load_workbook

from portal.audit import audit_record
from portal.choices import Role
from reporting.choices import ExportStatus
from reporting.models import ExportJob
from reporting.services.exports import export_request
from tests.factories import make_user

needs_worker = pytest.mark.skipif(
    os.environ.get("SENTINELLA_WORKER_TESTS") != "1",
    reason="needs a running Celery worker and broker (SENTINELLA_WORKER_TESTS=1, see .ci/run)",
)


@pytest.mark.worker
@needs_worker
def test_export_job_runs_on_a_real_worker(transactional_db, settings):
    assert settings.CELERY_BROKER_URL
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    # The worker stores the file where its own settings say; read it from there.
    settings.MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", django_settings.VAR_DIR / "media"))
    auditor = make_user(Role.AUDITOR)
    for i in range(30):
        audit_record(action="test.worker_export", after={"i": i})

    params = {"action": "test.worker"}
    job = export_request(user=auditor, report_key="audit.events", params=params, fmt="xlsx")

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ExportStatus.DONE, ExportStatus.FAILED):
            break
        time.sleep(0.2)
    assert job.status == ExportStatus.DONE, job.error
    assert job.attempts == 1
    try:
        sheet = load_workbook(job.file.open("rb")).active
        actions = [row[4] for row in sheet.iter_rows(min_row=6, values_only=True)]
        assert actions == ["test.worker_export"] * 30
    finally:
        job.file.storage.delete(job.file.name)
    assert ExportJob.objects.get(pk=job.pk).rows_done == 30
