"""Export jobs: request, run once, take over a dead worker's job, fail cleanly, clean up."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from portal.models import AuditEvent
from reporting.choices import ExportStatus
from reporting.models import ExportJob
from reporting.services import jobs as services
from reporting.services.exports import (
    ERROR_FORMAT_NOT_OFFERED,
    ERROR_PDF_TOO_LARGE,
    InlineExport,
    export_request,
    export_start,
)
from reporting.services.jobs import ERROR_NO_LONGER_ALLOWED, export_cleanup, export_execute
from tests.reporting.factories import ExportJobFactory

pytestmark = pytest.mark.django_db


def request_job(user, *, rows=10, fmt="csv", capture=None, **extra):
    params = {"rows": rows, **extra}
    if capture is None:
        return export_request(user=user, report_key="tests.expenses", params=params, fmt=fmt)
    with capture(execute=True):
        return export_request(user=user, report_key="tests.expenses", params=params, fmt=fmt)


def read_csv(job) -> list[list[str]]:
    with job.file.open("rb") as f:
        return list(csv.reader(io.StringIO(f.read().decode("utf-8"))))


def test_request_queues_a_job_and_audits_it(expenses_report, official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        job = request_job(official, rows=7, fmt="xlsx")
    assert len(callbacks) == 1  # the task is sent only once the transaction commits
    assert job.status == ExportStatus.QUEUED
    assert job.params == {"rows": 7}
    assert job.rows_total == 7
    assert job.language == "it"
    event = AuditEvent.objects.get(action="export.requested")
    assert event.actor == official
    assert event.target_id == str(job.pk)
    assert event.after == {"report": "tests.expenses", "format": "xlsx", "params": {"rows": 7}, "rows": 7}


def test_job_runs_queued_running_done(expenses_report, official, settings):
    settings.EXPORT_PROGRESS_EVERY_ROWS = 10
    job = request_job(official, rows=25)
    seen = []
    real_heartbeat = services._heartbeat

    def spy(job_id, token, *, rows_done, rows_total, percent=None):
        seen.append((ExportJob.objects.get(pk=job_id).status, rows_done))
        real_heartbeat(job_id, token, rows_done=rows_done, rows_total=rows_total, percent=percent)

    services._heartbeat = spy
    try:
        run = export_execute(job_id=job.pk)
    finally:
        services._heartbeat = real_heartbeat
    assert run.ran
    assert {status for status, _ in seen} == {ExportStatus.RUNNING}
    assert [rows for _, rows in seen][:3] == [0, 10, 20]
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert (job.progress, job.rows_done, job.rows_total, job.attempts) == (100, 25, 25, 1)
    assert job.file.name.startswith(f"exports/{job.created_at:%Y/%m}/{job.pk}-")
    assert job.filename.startswith("tests-expenses-")
    assert job.filename.endswith(".csv")
    assert job.expires_at - job.finished_at == timedelta(hours=48)
    assert job.lease_until is None
    assert len(read_csv(job)) == 26
    completed = AuditEvent.objects.get(action="export.completed", target_id=str(job.pk))
    assert completed.after["rows"] == 25
    assert completed.after["sha256"] == job.file_sha256
    assert completed.source == "system"


def test_rerun_of_a_done_job_does_nothing(expenses_report, official):
    job = request_job(official)
    export_execute(job_id=job.pk)
    job.refresh_from_db()
    name, digest, finished = job.file.name, job.file_sha256, job.finished_at
    events = AuditEvent.objects.count()

    run = export_execute(job_id=job.pk)  # a redelivered message

    assert not run.ran
    job.refresh_from_db()
    assert (job.file.name, job.file_sha256, job.finished_at, job.attempts) == (name, digest, finished, 1)
    assert AuditEvent.objects.count() == events
    assert len(list(job.file.storage.listdir(name.rsplit("/", 1)[0])[1])) == 1  # one file, never two


def test_a_job_held_by_a_live_worker_is_left_alone(expenses_report, official):
    job = request_job(official)
    lease = timezone.now() + timedelta(seconds=60)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, lease_token="other", lease_until=lease, attempts=1
    )
    run = export_execute(job_id=job.pk)
    assert not run.ran
    assert run.busy_until == lease
    job.refresh_from_db()
    assert (job.status, job.lease_token, job.attempts) == (ExportStatus.RUNNING, "other", 1)


def test_a_job_whose_worker_died_is_taken_over(expenses_report, official):
    job = request_job(official, rows=5)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING,
        lease_token="dead-worker",
        lease_until=timezone.now() - timedelta(seconds=1),
        attempts=1,
        rows_done=3,
    )
    run = export_execute(job_id=job.pk)
    assert run.ran
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert job.attempts == 2
    assert len(read_csv(job)) == 6
    assert AuditEvent.objects.filter(action="export.taken_over", target_id=str(job.pk)).count() == 1


def test_two_workers_never_both_claim_a_job(expenses_report, official):
    job = request_job(official)
    assert services._claim(job.pk, "a" * 32) == (True, False)
    assert services._claim(job.pk, "b" * 32) == (False, False)
    job.refresh_from_db()
    assert job.lease_token == "a" * 32


def test_a_worker_that_lost_its_lease_stores_nothing(expenses_report, official, settings):
    """The old worker was presumed dead and another took over: its late writes are refused."""
    settings.EXPORT_PROGRESS_EVERY_ROWS = 5
    job = request_job(official, rows=20)
    real_heartbeat = services._heartbeat

    def stolen(job_id, token, *, rows_done, rows_total, percent=None):
        if rows_done >= 10:
            ExportJob.objects.filter(pk=job_id).update(lease_token="another-worker")
        real_heartbeat(job_id, token, rows_done=rows_done, rows_total=rows_total, percent=percent)

    services._heartbeat = stolen
    try:
        export_execute(job_id=job.pk)
    finally:
        services._heartbeat = real_heartbeat
    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING
    assert job.lease_token == "another-worker"
    assert not job.file
    assert not AuditEvent.objects.filter(action__in=["export.completed", "export.failed"]).exists()


def test_a_failing_report_marks_the_job_failed(expenses_report, official):
    job = request_job(official, rows=10, fail_at=4)
    run = export_execute(job_id=job.pk)
    assert run.ran
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert "RuntimeError" in job.error
    assert not job.file
    assert job.lease_until is None
    assert AuditEvent.objects.get(action="export.failed").after == {"error": job.error}


def test_requester_who_lost_the_role_gets_a_failed_job(expenses_report, official):
    job = request_job(official)
    official.memberships.update(is_active=False)
    export_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error == str(ERROR_NO_LONGER_ALLOWED)


def test_wrong_role_may_not_request_and_nothing_changes(expenses_report, applicant, auditor):
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        request_job(applicant)
    with pytest.raises(PermissionDenied):
        export_request(user=applicant, report_key="audit.events", params={}, fmt="csv")
    assert not ExportJob.objects.exists()
    assert AuditEvent.objects.count() == events


def test_invalid_requests_are_refused(expenses_report, official, settings):
    with pytest.raises(ValidationError) as unknown:
        export_request(user=official, report_key="no.such.report", params={}, fmt="csv")
    assert "report" in unknown.value.message_dict
    with pytest.raises(ValidationError) as bad_format:
        request_job(official, fmt="docx")
    assert bad_format.value.message_dict["format"] == [str(ERROR_FORMAT_NOT_OFFERED)]
    with pytest.raises(ValidationError) as bad_params:
        export_request(user=official, report_key="tests.expenses", params={"rows": -1}, fmt="csv")
    assert "rows" in bad_params.value.message_dict
    settings.EXPORT_PDF_MAX_ROWS = 100
    with pytest.raises(ValidationError) as too_big:
        request_job(official, rows=101, fmt="pdf")
    assert too_big.value.message_dict["format"] == [str(ERROR_PDF_TOO_LARGE % {"max": 100, "rows": 101})]
    assert not ExportJob.objects.exists()


def test_small_exports_are_produced_at_once_large_ones_queued(expenses_report, official, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 50
    small = export_start(user=official, report_key="tests.expenses", params={"rows": 50}, fmt="xlsx")
    assert isinstance(small, InlineExport)
    assert small.filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(small.content())).active
    assert sheet.max_row == 7 + 50 + 1
    generated = AuditEvent.objects.get(action="export.generated")
    assert generated.after["rows"] == 50
    assert not ExportJob.objects.exists()

    large = export_start(user=official, report_key="tests.expenses", params={"rows": 51}, fmt="xlsx")
    assert isinstance(large, ExportJob)
    assert large.status == ExportStatus.QUEUED


def test_embedded_mode_runs_the_job_right_after_commit(
    expenses_report, official, eager, django_capture_on_commit_callbacks
):
    job = request_job(official, rows=12, fmt="xlsx", capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    sheet = load_workbook(job.file.open("rb")).active
    assert sheet.max_row == 7 + 12 + 1
    event = AuditEvent.objects.get(action="export.completed")
    assert event.source == "job"


def make_done_job(user, *, expired: bool):
    job = request_job(user)
    export_execute(job_id=job.pk)
    job.refresh_from_db()
    if expired:
        ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    return job


def test_cleanup_deletes_expired_files_and_keeps_fresh_ones(expenses_report, official):
    old = make_done_job(official, expired=True)
    fresh = make_done_job(official, expired=False)
    storage = old.file.storage
    assert storage.exists(old.file.name)

    report = export_cleanup()

    assert report.expired == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == ExportStatus.EXPIRED
    assert not old.file
    assert fresh.status == ExportStatus.DONE
    assert storage.exists(fresh.file.name)
    assert not storage.exists(f"exports/{old.created_at:%Y/%m}/{old.filename}")
    assert AuditEvent.objects.filter(action="export.expired", target_id=str(old.pk)).count() == 1
    assert export_cleanup().expired == 0  # idempotent


def test_cleanup_requeues_stuck_jobs_and_abandons_hopeless_ones(
    expenses_report, official, settings, eager, django_capture_on_commit_callbacks
):
    settings.EXPORT_MAX_ATTEMPTS = 3
    past = timezone.now() - timedelta(minutes=5)
    dead = ExportJobFactory(
        requested_by=official, status=ExportStatus.RUNNING, lease_token="x", lease_until=past, attempts=1
    )
    hopeless = ExportJobFactory(
        requested_by=official, status=ExportStatus.RUNNING, lease_token="y", lease_until=past, attempts=3
    )
    lost = ExportJobFactory(requested_by=official, queued_at=timezone.now() - timedelta(hours=1))
    waiting = ExportJobFactory(requested_by=official, queued_at=timezone.now())

    with django_capture_on_commit_callbacks() as callbacks:
        report = export_cleanup()

    assert (report.requeued, report.abandoned) == (2, 1)
    assert len(callbacks) == 2
    for job in (dead, lost):
        job.refresh_from_db()
        assert job.status == ExportStatus.QUEUED
    hopeless.refresh_from_db()
    assert hopeless.status == ExportStatus.FAILED
    assert "3" in hopeless.error
    waiting.refresh_from_db()
    assert waiting.status == ExportStatus.QUEUED
    assert AuditEvent.objects.filter(action="export.requeued").count() == 2

    for callback in callbacks:  # the worker gets the messages
        callback()
    dead.refresh_from_db()
    assert dead.status == ExportStatus.DONE
    assert dead.attempts == 2


def test_cleanup_command(expenses_report, official, capsys):
    make_done_job(official, expired=True)
    call_command("export_cleanup")
    assert "1 expired" in capsys.readouterr().out
    assert AuditEvent.objects.get(action="export.expired").source == "command"


def test_cleanup_task_is_scheduled_every_minute(settings):
    """Every minute: a dead worker's job is sent again about a lease after it died, not an hour."""
    entry = settings.CELERY_BEAT_SCHEDULE["reporting-export-cleanup"]
    assert entry["task"] == "reporting.export_cleanup"
    assert entry["schedule"] == 60
    from portal.celery import app

    app.loader.import_default_modules()
    assert "reporting.export_cleanup" in app.tasks
    assert "reporting.export_run" in app.tasks


def test_pdfs_go_to_a_job_sooner(expenses_report, official, settings):
    settings.EXPORT_INLINE_MAX_ROWS_PDF = 5
    inline = export_start(user=official, report_key="tests.expenses", params={"rows": 5}, fmt="pdf")
    assert isinstance(inline, InlineExport)
    assert inline.content().startswith(b"%PDF")
    queued = export_start(user=official, report_key="tests.expenses", params={"rows": 6}, fmt="pdf")
    assert isinstance(queued, ExportJob)
