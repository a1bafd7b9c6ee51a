"""State that must hold across processes, tried with two real gunicorn servers on the test database
and the product's default cache (the database's cache table): a TOTP code logs in once, the failed-
login limit counts the attempts made on both, a session opened on one is valid on the other."""

import os
import socket
import subprocess
import sys
import time
from contextlib import closing

import pytest

from portal.choices import Role
from portal.smoke.http import HttpClient, LoginFailed
from tests.factories import TEST_PASSWORD, make_user
from tests.reporting.test_worker_kill import database_url
from tests.utils import totp_code

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def two_servers(tmp_path, settings):
    # The servers check passwords with the product's hashers, not the tests' quick one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=database_url(), LOG_FORMAT="plain", DJANGO_SETTINGS_MODULE="portal.settings")
    env.pop("CACHE_URL", None)  # the default: the database's cache table, shared by every process
    servers, urls = [], []
    for name in ("a", "b"):
        port = free_port()
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        args = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
        ]
        servers.append(
            subprocess.Popen([*args, "portal.wsgi"], env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            _wait_until_up(url)
        yield urls
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if HttpClient(url).get("/livez").status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not start")


def test_the_same_totp_code_logs_in_once_across_two_processes(two_servers):
    user = make_user(Role.AUDITOR)
    first, second = HttpClient(two_servers[0]), HttpClient(two_servers[1])
    # Both pass the password step, each on its own server, and wait for the same 30 s window.
    steps = []
    for client in (first, second):
        _page, fields = client.form_fields("/accounts/login/")
        data = [(k, v) for k, v in fields if k not in ("login", "password")]
        response = client.post(
            "/accounts/login/", [*data, ("login", user.email), ("password", TEST_PASSWORD)]
        )
        assert response.status == 302
        assert "/2fa/authenticate" in response.location
        steps.append(response.location)
    if 30 - time.time() % 30 < 5:  # too close to the end of the window for both to use this code
        time.sleep(30 - time.time() % 30 + 0.5)
    code = totp_code()
    accepted = first.submit_totp(steps[0], code)
    replayed = second.submit_totp(steps[1], code)
    assert accepted.status == 302
    assert not accepted.location.startswith("/accounts/")
    assert replayed.status == 200  # the form again, with its error: the code was used
    assert second.get("/reports/").status == 302  # not logged in on the second server
    # The first session is valid on the other process too (sessions live in the database).
    second.cookies = dict(first.cookies)
    assert second.get("/reports/").status == 200


def test_the_failed_login_limit_counts_attempts_on_every_process(two_servers):
    user = make_user(Role.APPLICANT)
    # One public address in front of both processes, as behind a proxy (allauth keys the limit by
    # site and account).
    clients = [HttpClient(url, host="localhost") for url in two_servers]
    for attempt in range(5):  # ACCOUNT_RATE_LIMITS: 5 failures per 5 minutes for one account
        with pytest.raises(LoginFailed):
            clients[attempt % 2].log_in(user.email, "wrong password")
    # The sixth try, with the right password, on the server that saw only two failures, is refused.
    with pytest.raises(LoginFailed):
        clients[1].log_in(user.email, TEST_PASSWORD)
