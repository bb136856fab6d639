"""Settings for `make rehearsal` only: production settings with two changes.

- Mail goes to the Outbox (the demo's database "provider", one row per message) through
  a wrapper that fails on demand, so the fault drills can count every message sent and
  take the provider down; nothing leaves the machine.
- A small fault-injection app (scripts/rehearsal/faults.py) can make the tracking
  webhook fail once, as a handler error would.

SECURE_SSL_REDIRECT is already read from the environment by production.py; the rehearsal
sets SECURE_SSL_REDIRECT=0 because it talks plain HTTP on loopback. Everything else
(secret key, webhook secret, HSTS, secure cookies, DEBUG off) stays as in production.
Never use this module on a real host.
"""

from .production import *  # noqa: F403
from .production import INSTALLED_APPS

MAILERS = {"default": {"BACKEND": "scripts.rehearsal.faults.FaultyOutboxBackend"}}
INSTALLED_APPS = [*INSTALLED_APPS, "scripts.rehearsal.faults.FaultsConfig"]
