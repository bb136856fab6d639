"""Production settings are exercised in a subprocess: they read the environment once,
at import, and must refuse to start when a secret is missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "campaign.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + "-production-test-secret-key-0123456789abcdef",
    "ANYMAIL_ESP": "postmark",
    "ANYMAIL_POSTMARK_SERVER_TOKEN": "token",
    "ANYMAIL_WEBHOOK_SECRET": "hook:secret",
    "ALLOWED_HOSTS": "sensus.example.org",
    "BASE_URL": "https://sensus.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def _manage(*args, drop=(), **overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ANYMAIL_"))}
    env.update(PRODUCTION_ENV)
    env.update(overrides)
    for name in drop:
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("drop", "overrides", "message"),
    [
        (["DJANGO_SECRET_KEY"], {}, "DJANGO_SECRET_KEY must be set"),
        ([], {"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY must be set"),
        (["ANYMAIL_WEBHOOK_SECRET"], {}, "ANYMAIL_WEBHOOK_SECRET must be set"),
        (["ANYMAIL_ESP"], {}, "ANYMAIL_ESP must name the email provider"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(drop, overrides, message):
    result = _manage("check", drop=drop, **overrides)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_passes_the_deployment_checklist():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_uses_the_configured_provider_and_secrets():
    code = (
        "from django.conf import settings as s;"
        "print(s.MAILERS['default']['BACKEND']);"
        "print(s.ANYMAIL['WEBHOOK_SECRET']);"
        "print(s.ANYMAIL['POSTMARK_SERVER_TOKEN']);"
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT);"
        "print(s.TASKS['default']['BACKEND'])"
    )
    result = _manage("shell", "--no-imports", "-c", code, ANYMAIL_WEBHOOK_SECRET="a:b,c:d")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:5] == [
        "anymail.backends.postmark.EmailBackend",
        "['a:b', 'c:d']",
        "token",
        "31536000 True True",
        "django_tasks_db.DatabaseBackend",
    ]


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    code = (
        "from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "print(connection.transaction_mode)"
    )
    result = _manage("shell", "--no-imports", "-c", code, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE"]
