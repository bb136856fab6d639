"""scripts/audit-pinned: the CI fallback when pip-audit cannot look the pins up."""

import importlib.machinery
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit-pinned"


@pytest.fixture
def audit_pinned():
    loader = importlib.machinery.SourceFileLoader("audit_pinned", str(SCRIPT))
    spec = importlib.util.spec_from_loader("audit_pinned", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


INDEX = {
    # A mirror without per-release documents: only /pypi/<name>/json answers.
    "https://pypi.org/pypi/ecdsa/json": {
        "info": {"version": "0.19.2"},
        "vulnerabilities": [
            {"id": "GHSA-wj6h-64fc-37mp", "fixed_in": [], "withdrawn": None},
            {"id": "PYSEC-OLD", "fixed_in": ["0.1"], "withdrawn": "2024-01-01T00:00:00"},
        ],
    },
    "https://pypi.org/pypi/django/json": {"info": {"version": "6.1.3"}, "vulnerabilities": []},
    "https://pypi.org/pypi/jinja2/json": {"info": {"version": "3.1.6"}, "vulnerabilities": []},
    # A full index answers per release, which is what pip-audit asks.
    "https://pypi.org/pypi/reportlab/5.1.0/json": {
        "info": {"version": "5.1.0"},
        "vulnerabilities": [{"id": "PYSEC-X", "fixed_in": ["5.1.1"]}],
    },
}


@pytest.fixture
def index(audit_pinned, monkeypatch):
    monkeypatch.setattr(audit_pinned, "fetch", INDEX.get)
    return audit_pinned


def _requirements(tmp_path, text):
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    return str(path)


def test_clean_pins_at_the_newest_release_pass(index, tmp_path, capsys):
    path = _requirements(tmp_path, "django==6.1.3 \\\n    --hash=sha256:abc\n# a comment\n")
    assert index.main(path) == 0
    assert "1 of 1 pins audited, 0 known vulnerabilities" in capsys.readouterr().out


def test_a_known_vulnerability_fails_and_withdrawn_ones_do_not_count(index, tmp_path, capsys):
    path = _requirements(tmp_path, "ecdsa==0.19.2\nreportlab==5.1.0\n")
    assert index.main(path) == 1
    out = capsys.readouterr().out
    assert "ecdsa==0.19.2: GHSA-wj6h-64fc-37mp" in out and "PYSEC-OLD" not in out
    assert "reportlab==5.1.0: PYSEC-X (fixed in 5.1.1)" in out
    assert "2 of 2 pins audited, 2 known vulnerabilities" in out


def test_a_pin_behind_the_newest_release_is_named_not_passed(index, tmp_path, capsys):
    path = _requirements(tmp_path, "jinja2==3.0.0\nunknown-package==1.0\n")
    assert index.main(path) == 0
    out = capsys.readouterr().out
    assert "jinja2==3.0.0: NOT audited (newest is 3.1.6)" in out
    assert "unknown-package==1.0: not on the index" in out
    assert "0 of 2 pins audited" in out


def test_an_unreachable_index_is_exit_2(audit_pinned, tmp_path, monkeypatch):
    def down(url):
        raise audit_pinned.urllib.error.URLError("no route")

    monkeypatch.setattr(audit_pinned, "fetch", down)
    assert audit_pinned.main(_requirements(tmp_path, "django==6.1.3\n")) == 2
