"""Settings read from the environment: what a deployment changes without touching code."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _settings(**environ) -> dict:
    """The settings as a fresh process reads them from `environ` (and nothing else of ours)."""
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT", "HOST"}}
    env.update(environ, DJANGO_SETTINGS_MODULE="portal.settings")
    code = "import json; from django.conf import settings as s; print(json.dumps({'SITE_URL': s.SITE_URL}))"
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    ("environ", "site_url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8517"}, "http://127.0.0.1:8517"),
        ({"PORT": "8517", "HOST": "localhost"}, "http://localhost:8517"),
        (
            {"PORT": "8517", "SITE_URL": "https://sentinella.regione.example"},
            "https://sentinella.regione.example",
        ),
    ],
)
def test_site_url_follows_the_port_the_portal_runs_on(environ, site_url):
    assert _settings(**environ)["SITE_URL"] == site_url


@pytest.mark.django_db
def test_postgresql_connections_plan_wide_joins_without_searching_every_order():
    """PG_JOIN_COLLAPSE_LIMIT (6) reaches the server: a list query joining 9 tables is planned in
    milliseconds instead of the default's 20-30 ms search."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        assert cursor.fetchone()[0] == "6"
        cursor.execute("SHOW from_collapse_limit")
        assert cursor.fetchone()[0] == "6"
