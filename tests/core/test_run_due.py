"""`manage.py run_due`: the one command the minute clock runs."""

import pytest
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

pytestmark = pytest.mark.django_db


def _fake(calls, name, error=None):
    class Command(BaseCommand):
        def handle(self, *args, **options):
            calls.append(name)
            if error:
                raise error

    return Command()


def test_runs_every_listed_command_and_a_failure_does_not_stop_the_rest(settings, monkeypatch):
    from django.core import management

    calls = []
    commands = {
        "first": _fake(calls, "first"),
        "broken": _fake(calls, "broken", RuntimeError("database away")),
        "last": _fake(calls, "last"),
    }
    real = management.load_command_class
    monkeypatch.setattr(
        management, "get_commands", lambda: {**{n: "tests" for n in commands}, "run_due": "campaign.core"}
    )
    monkeypatch.setattr(
        management,
        "load_command_class",
        lambda app, name: commands[name] if name in commands else real(app, name),
    )
    settings.RUN_DUE_COMMANDS = ["first", "broken", "last"]

    with pytest.raises(CommandError, match="failed: broken"):
        call_command("run_due")
    assert calls == ["first", "broken", "last"]


def test_the_clock_lists_real_commands_and_runs_them(settings):
    from django.core.management import get_commands

    assert set(settings.RUN_DUE_COMMANDS) == {
        "publish_scheduled",
        "send_due_invitations",
        "recover_guide_packs",
        "fetch_official_counts",
        "recover_count_imports",
    }
    assert set(settings.RUN_DUE_COMMANDS) <= set(get_commands())
    call_command("run_due")  # nothing due on an empty database: no CommandError
