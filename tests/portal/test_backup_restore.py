"""The backup and restore drill of README ("Backup and restore"), for real: pg_dump of the database and
a copy of the media folder, restored into a fresh database and folder; the restored portal finds the
ledger's sums, the audit chain and every document's SHA-256 unchanged (manage.py backup_check)."""

import io
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tests.funding.factories import make_commitment
from tests.utils import is_postgres

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not is_postgres(), reason="pg_dump and pg_restore need PostgreSQL (set DATABASE_URL)"),
]


def _pg(db: dict) -> tuple[list[str], dict]:
    args = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def _run(*command, env):
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)  # noqa: S603


def test_a_restored_dump_keeps_the_ledger_the_audit_chain_and_the_documents(tmp_path, comuni):
    call_command("seed_demo", stdout=io.StringIO())  # programme, calls, applications with their PDFs
    make_commitment("1234.56")
    out = io.StringIO()
    call_command("backup_check", stdout=out)
    before = json.loads(out.getvalue())
    assert before["files"]["checked"] > 0
    assert Decimal(before["ledger"]["commitments"]["amount"]) >= Decimal("1234.56")

    # The backup: pg_dump's custom format and an archive of the media folder.
    db = connection.settings_dict
    args, env = _pg(db)
    dump = tmp_path / "sentinella.dump"
    _run("pg_dump", *args, "--format=custom", f"--file={dump}", db["NAME"], env=env)
    media = shutil.make_archive(str(tmp_path / "media"), "gztar", root_dir=settings.MEDIA_ROOT)

    # The restore: a fresh database and a fresh folder.
    restored = f"{db['NAME']}_restored"
    _run("dropdb", *args, "--if-exists", restored, env=env)
    _run("createdb", *args, restored, env=env)
    try:
        _run("pg_restore", *args, "--no-owner", f"--dbname={restored}", str(dump), env=env)
        restored_media = tmp_path / "restored-media"
        shutil.unpack_archive(media, restored_media)
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        check_env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        check_env.update(
            DATABASE_URL=f"postgres://{db['USER']}{password}@{args[1]}:{args[3]}/{restored}",
            MEDIA_ROOT=str(restored_media),
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "backup_check"],
            env=check_env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        after = json.loads(result.stdout)
    finally:
        _run("dropdb", *args, "--if-exists", restored, env=env)
    assert after == before
    assert after["audit"]["ok"]
    assert after["files"]["mismatched"] == []
