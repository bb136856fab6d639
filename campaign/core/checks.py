"""Deployment checks of our own, run by ``manage.py check --deploy`` (CI runs it with the
production settings and fails on any warning)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def base_url_is_https(app_configs, **kwargs):
    """Links in emails and PDFs (RSVP, guide downloads, press previews, List-Unsubscribe)
    are built from BASE_URL: on plain HTTP their tokens travel in clear text, and mail
    providers ignore a one-click List-Unsubscribe that is not HTTPS."""
    parts = urlsplit(settings.BASE_URL)
    if parts.scheme == "https" and parts.hostname:
        return []
    return [
        checks.Warning(
            f"BASE_URL is {settings.BASE_URL!r}; links sent to institutions must use HTTPS.",
            hint="Set BASE_URL to the public https:// address of the site.",
            id="campaign.W001",
        )
    ]
