"""`make backup` and `make restore` (pg_dump and pg_restore of DATABASE_URL's database) lose
nothing: a program restored into a fresh database reports exactly the same figures.

PostgreSQL only (DATABASE_URL), with pg_dump, pg_restore and make on the PATH."""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PERIOD = ("--start", "2025-07-01", "--end", "2026-06-30")


def _url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"
    )


def _run(*command: str, database_url: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "post_program.settings.test",
    }
    return subprocess.run(  # noqa: S603 (fixed commands, the test's own arguments)
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )


def _report(database_url: str) -> dict:
    result = _run(sys.executable, "manage.py", "reaim_report", *PERIOD, database_url=database_url)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    report.pop("generated_at")
    return report


@pytest.fixture
def fresh_database():
    if connection.vendor != "postgresql":
        pytest.skip("make backup and make restore are for PostgreSQL; set DATABASE_URL to run it")
    missing = [tool for tool in ("pg_dump", "pg_restore", "make") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not on the PATH")
    name = f"{connection.settings_dict['NAME']}_restore_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_reports_the_same_figures(fresh_database, tmp_path):
    call_command("seed_demo", "--today", "2026-06-30", stdout=io.StringIO())
    source = _url(connection.settings_dict["NAME"])
    before = _report(source)
    assert before["reach"], before  # the demo program has figures to lose

    dump = tmp_path / "post.dump"
    backup = _run("make", "--no-print-directory", "backup", f"BACKUP={dump}", database_url=source)
    assert backup.returncode == 0, backup.stderr
    assert dump.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    assert "SECRET_KEY" in backup.stdout and "PSEUDONYM_KEY" in backup.stdout
    restored = _url(fresh_database)
    restore = _run(
        "make", "--no-print-directory", "restore", f"BACKUP={dump}", database_url=restored
    )
    assert restore.returncode == 0, restore.stderr

    assert _report(restored) == before


def test_backup_and_restore_refuse_what_they_cannot_do(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make not on the PATH")
    sqlite = _run("make", "--no-print-directory", "backup", database_url="sqlite:///db.sqlite3")
    assert sqlite.returncode != 0 and "PostgreSQL" in sqlite.stderr
    missing = tmp_path / "none.dump"
    restore = _run(
        "make",
        "--no-print-directory",
        "restore",
        f"BACKUP={missing}",
        database_url="postgres://nobody@127.0.0.1:1/none",
    )
    assert restore.returncode != 0 and "BACKUP=" in restore.stderr
    assert not missing.exists()
