"""Issue 14, item 4: `make demo PORT=8101` serves on 8101, and every link the demo
writes (emails, QR codes, printed sheets) points there unless BASE_URL is set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _settings(module, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "HOST", "PORT")}
    clean.update(env, DJANGO_SETTINGS_MODULE=module)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.BASE_URL, settings.WAGTAILADMIN_BASE_URL)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PORT": "8101"}, "http://127.0.0.1:8101"),
        ({"HOST": "0.0.0.0", "PORT": "9000"}, "http://127.0.0.1:9000"),  # noqa: S104
        ({"PORT": "8101", "BASE_URL": "https://demo.example.org/"}, "https://demo.example.org"),
    ],
)
def test_dev_base_url_follows_host_and_port_unless_set(env, expected):
    assert _settings("campaign.settings.dev", **env) == [expected, expected]


def test_demo_serve_hands_host_and_port_to_the_server_and_the_loader():
    script = (ROOT / "scripts" / "demo-serve").read_text()
    assert "export HOST PORT" in script
    makefile = (ROOT / "Makefile").read_text()
    assert "HOST=$(HOST) PORT=$(PORT) $(MANAGE) load_demo_data" in makefile
