"""A worker killed with SIGKILL in the middle of an export leaves a job that another worker finishes,
once: real Celery workers in their own processes, on the broker of the mode under test (the embedded
folder broker, or Redis when CELERY_BROKER_URL says so) and a queue of their own."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from portal.choices import Role
from portal.models import AuditEvent
from reporting.choices import ExportStatus
from reporting.models import ExportJob
from reporting.services import exports
from tests.factories import make_user

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CELERY = [sys.executable, "-m", "celery", "-A", "portal"]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_env(tmp_path, settings):
    """What the workers of this test share: the test database, its media folder, a queue of their own;
    a short lease (a dead worker is presumed so after 5 s) and a sweep every 2 s."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url(),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        CELERY_QUEUE=f"kill-test-{uuid.uuid4().hex[:8]}",
        EXPORT_LEASE_SECONDS="5",
        JOBS_SWEEP_SECONDS="2",
        CELERY_TASK_TIME_LIMIT="40",
        CELERY_TASK_SOFT_TIME_LIMIT="38",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    if django_settings.JOBS_EMBEDDED:
        env["BROKER_DIR"] = str(tmp_path / "broker")
        env.pop("CELERY_BROKER_URL", None)
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    return env


def start_worker(env, tmp_path, name: str, *, beat: bool = False) -> subprocess.Popen:
    args = [*CELERY, "worker", "-Q", env["CELERY_QUEUE"], "-n", f"{name}@%h", "--concurrency=1"]
    args += ["--loglevel=INFO", "--without-mingle", "--without-gossip"]
    if beat:
        args += ["-B", "-s", str(tmp_path / f"{name}-schedule")]
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603 - our own command line


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def job_files(job: ExportJob) -> list[str]:
    folder = Path(django_settings.MEDIA_ROOT) / "exports"
    return sorted(p.name for p in folder.rglob(f"{job.pk}-*")) if folder.exists() else []


def test_a_job_whose_worker_is_killed_is_finished_once_by_another(comuni, worker_env, tmp_path, monkeypatch):
    auditor = make_user(Role.AUDITOR)
    # The job is created as the portal creates it; its message goes to this test's queue below.
    monkeypatch.setattr(exports, "enqueue", lambda task, *args: None)
    params = {"reference_date": "2023-01-01"}  # 1,181 comuni: a PDF of about 25 pages
    job = exports.export_request(user=auditor, report_key="reference.population", params=params, fmt="pdf")
    first = start_worker(worker_env, tmp_path, "first")
    second = None
    try:
        subprocess.run(  # noqa: S603 - our own command line
            [
                *CELERY,
                "call",
                "reporting.export_run",
                "--args",
                f"[{job.pk}]",
                "--queue",
                worker_env["CELERY_QUEUE"],
            ],
            env=worker_env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        wait_for(
            lambda: ExportJob.objects.get(pk=job.pk).status == ExportStatus.RUNNING, 120, "the first worker"
        )
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its pool, mid-export
        first.wait(timeout=10)
        assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.RUNNING  # left behind

        second = start_worker(worker_env, tmp_path, "second", beat=True)
        done = wait_for(
            lambda: (j := ExportJob.objects.get(pk=job.pk)).is_finished and j, 180, "the second worker"
        )
        assert done.status == ExportStatus.DONE, (done.error, (tmp_path / "second.log").read_text()[-3000:])
        time.sleep(5)  # two more sweeps: nothing runs it again
        job.refresh_from_db()
        assert (job.status, job.attempts) == (ExportStatus.DONE, 2)
        events = AuditEvent.objects.filter(target_id=str(job.pk), action__startswith="export.")
        actions = sorted(events.values_list("action", flat=True))
        # The sweep found its lease expired and sent it again; the second worker produced it once.
        assert actions.count("export.requeued") + actions.count("export.taken_over") == 1
        assert actions.count("export.completed") == 1
        assert job_files(job) == [Path(job.file.name).name]
        with job.file.open("rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
