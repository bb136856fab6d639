"""Fault injection for `make rehearsal` (campaign.settings.rehearsal only).

Faults are switched on by files in REHEARSAL_FAULTS_DIR, so the driver can flip them for
every gunicorn and db_worker process at once:

- ``provider-down``: the mail backend raises, as a provider answering 503 would.
- ``webhook-fail-once``: holds a provider message ID; the next tracking event for that
  message raises after our receiver ran (the file is removed first), so anymail answers
  500 and the provider retries.
"""

import os
from pathlib import Path

from anymail.exceptions import AnymailAPIError
from anymail.signals import tracking
from django.apps import AppConfig

from campaign.invitations.outbox import OutboxBackend


def _flag(name) -> Path | None:
    folder = os.environ.get("REHEARSAL_FAULTS_DIR")
    return Path(folder) / name if folder else None


class FaultyOutboxBackend(OutboxBackend):
    def post_to_esp(self, payload, message):
        flag = _flag("provider-down")
        if flag is not None and flag.exists():
            raise AnymailAPIError("rehearsal: provider unavailable (HTTP 503)")
        return super().post_to_esp(payload, message)


def _fail_once(sender, event, esp_name, **kwargs):
    flag = _flag("webhook-fail-once")
    if flag is None or not flag.exists():
        return
    if event.message_id and flag.read_text().strip() == event.message_id:
        try:
            flag.unlink()
        except FileNotFoundError:
            return
        raise RuntimeError("rehearsal: tracking handler failed after applying the event")


class FaultsConfig(AppConfig):
    name = "scripts.rehearsal.faults"
    label = "rehearsal_faults"
    verbose_name = "Rehearsal fault injection"

    def ready(self):
        tracking.connect(_fail_once, dispatch_uid="jemputbola.rehearsal.fail_once")
