"""CSRF on every state-changing view: a POST without a token is refused with 403, except
for the documented exceptions below."""

import pytest
from anymail.exceptions import AnymailConfigurationError, AnymailImproperlyInstalled
from django.test import Client
from django.urls import reverse

from campaign.invitations.models import Suppression
from tests.http import drain
from tests.security.routes import anymail_route_names
from tests.security.test_permissions import EXPECTED, url_for

pytestmark = pytest.mark.django_db

# Views that accept a POST without a CSRF token, and why.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: the mail client POSTs "List-Unsubscribe=One-Click"
    # with no page and no cookie; the signed token in the URL is the credential.
    "invitations:unsubscribe",
}

# Providers whose webhooks are checked here (others are anymail's own, unchanged code).
CHECKED_ESPS = {"postmark", "mailgun", "mailjet", "postal", "mailersend", "resend"}


def test_every_view_refuses_a_post_without_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["admin"])
    accepted = {}
    for name in EXPECTED:
        response = client.post(url_for(world, name, "token"), {"name": "x"})
        drain(response)
        if response.status_code != 403:
            accepted[name] = response.status_code
    assert set(accepted) == CSRF_EXEMPT, accepted


def test_one_click_unsubscribe_works_without_a_token(world):
    client = Client(enforce_csrf_checks=True)
    email = world.objects["recipient"].email
    assert not Suppression.objects.filter(email=email).exists()
    response = client.post(
        url_for(world, "invitations:unsubscribe", "token"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert Suppression.objects.get(email=email).reason == Suppression.Reason.UNSUBSCRIBED


def test_anymail_webhooks_need_their_basic_auth_not_a_csrf_token():
    """anymail's views are csrf_exempt by design: the provider cannot hold a token. They
    are authenticated by ANYMAIL_WEBHOOK_SECRET (basic auth) or the provider's signature."""
    client = Client(enforce_csrf_checks=True)
    checked = 0
    for name in sorted(n for n in anymail_route_names() if n.split(":")[1].split("_")[0] in CHECKED_ESPS):
        try:
            response = client.post(reverse(name), data="{}", content_type="application/json")
        except (AnymailImproperlyInstalled, AnymailConfigurationError):  # ESP not set up here
            continue
        checked += 1
        assert response.status_code in (400, 401, 403), (name, response.status_code)
    assert checked >= 4
