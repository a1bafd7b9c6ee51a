"""Ingestion through a real HTTP server: gunicorn with two workers on the test database, a batch
posted twice at the same moment on two connections, stored once."""

import http.client
import json
import os
import subprocess
import sys
import threading

import pytest

from inventory.models import AnalyticsEvent, DeviceDailyStat
from tests.inventory.analytics_helpers import URL, deployed_camera, event, make_source
from tests.portal.test_processes import _wait_until_up, free_port
from tests.reporting.test_worker_kill import database_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=database_url(), LOG_FORMAT="plain", DJANGO_SETTINGS_MODULE="portal.settings")
    env.pop("CACHE_URL", None)
    port = free_port()
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - closed with the process
    args = ["gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "-w", "2", "portal.wsgi"]
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", *args], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _post(port: int, key: str, body: bytes) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(
        "POST", URL, body=body, headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    )
    response = conn.getresponse()
    status, data = response.status, json.loads(response.read())
    conn.close()
    return status, data


def test_a_batch_posted_twice_at_once_to_gunicorn_is_stored_once(server, comuni):
    camera = deployed_camera()
    issued = make_source(camera.owner)
    body = json.dumps(
        [event(kind="crowd_density", value=float(i % 5), minutes_ago=i + 1) for i in range(300)]
    )
    body = body.encode()
    answers: list = [None, None]
    barrier = threading.Barrier(2)

    def send(i):
        barrier.wait()
        answers[i] = _post(server, issued.key, body)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert [status for status, _ in answers] == [200, 200]
    assert sum(data["accepted"] for _, data in answers) == 300
    assert sum(data["duplicate"] for _, data in answers) == 300
    assert AnalyticsEvent.objects.count() == 300
    assert sum(DeviceDailyStat.objects.values_list("count", flat=True)) == 300
    status, data = _post(server, issued.key, json.dumps([event(plate="AB123CD")]).encode())
    assert status == 200
    assert "plate" in data["results"][0]["errors"]
