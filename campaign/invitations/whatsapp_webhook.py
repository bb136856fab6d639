"""The WhatsApp Cloud API webhook (Meta's own, so not anymail's): GET answers Meta's
verification challenge when the verify token matches; POST is accepted only with a valid
``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body under the app secret), 403 without
one, 400 for a body that is not a webhook, and its statuses are applied
(``services.whatsapp_status_apply``); an error while applying is a 500 so that Meta
retries (the dedupe makes the retry safe). Messages users send us are not read here.

Settings: ``WHATSAPP_APP_SECRET`` (a list: several allow rotation) and
``WHATSAPP_VERIFY_TOKEN``. Without a secret every POST is refused.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from .services.whatsapp_tracking import whatsapp_status_apply


def _secrets():
    value = getattr(settings, "WHATSAPP_APP_SECRET", None) or []
    return [value] if isinstance(value, str) else list(value)


def signature_valid(body: bytes, header: str) -> bool:
    if not header.startswith("sha256="):
        return False
    given = header.removeprefix("sha256=").strip().lower()
    return any(
        hmac.compare_digest(given, hmac.new(secret.encode(), body, hashlib.sha256).hexdigest())
        for secret in _secrets()
        if secret
    )


def _statuses(payload):
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise ValueError("not a WhatsApp Business Account webhook")
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            for status in value.get("statuses") or []:
                if isinstance(status, dict):
                    yield status


@csrf_exempt
def whatsapp_webhook(request):
    if request.method == "GET":
        token = getattr(settings, "WHATSAPP_VERIFY_TOKEN", "")
        given = request.GET.get("hub.verify_token", "")
        if request.GET.get("hub.mode") == "subscribe" and token and hmac.compare_digest(given, token):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponseForbidden()
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    body = request.body
    if not signature_valid(body, request.headers.get("X-Hub-Signature-256", "")):
        return HttpResponseForbidden()
    try:
        statuses = list(_statuses(json.loads(body)))
    except (ValueError, TypeError, AttributeError):
        return HttpResponseBadRequest()
    for status in statuses:
        whatsapp_status_apply(status=status)
    return HttpResponse(status=200)
