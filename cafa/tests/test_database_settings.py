"""Persistent database connections (issue 12): on by default on PostgreSQL, off on SQLite, and the
environment still decides. Each case reads the settings in a fresh process, as a server would."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = (
    "import json, cafa.settings as s; d = s.DATABASES['default']; "
    "print(json.dumps([d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS']]))"
)
INHERITED_OUT = {"DATABASE_URL", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS"}


def _database_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in INHERITED_OUT}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**clean, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgresql_connections_persist_and_are_health_checked_by_default():
    engine, max_age, health_checks = _database_settings(DATABASE_URL="postgres://cafa@db.invalid:5432/cafa")

    assert engine == "django.db.backends.postgresql"
    assert max_age == 60
    assert health_checks is True


def test_sqlite_connections_close_after_each_request_by_default(tmp_path):
    engine, max_age, health_checks = _database_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert engine == "django.db.backends.sqlite3"
    assert max_age == 0
    assert health_checks is False


@pytest.mark.parametrize(("given", "expected"), [("0", 0), ("300", 300)])
def test_the_environment_chooses_the_connection_age(given, expected):
    _engine, max_age, _checks = _database_settings(
        DATABASE_URL="postgres://cafa@db.invalid:5432/cafa", CONN_MAX_AGE=given
    )

    assert max_age == expected
