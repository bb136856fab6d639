"""Development and demo settings: DEBUG on, an insecure key, mail to the console."""

from .base import *  # noqa: F403
from .base import SECRET_KEY

DEBUG = True
SECRET_KEY = SECRET_KEY or "django-insecure-jemput-bola-development-only"  # noqa: S105
ALLOWED_HOSTS = ["*"]

try:
    from .local import *  # noqa: F403
except ImportError:
    pass
