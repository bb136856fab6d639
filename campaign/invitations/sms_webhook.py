"""Twilio's SMS status callback (``TWILIO_STATUS_CALLBACK`` names this URL to Twilio when
a message is sent): a form POST accepted only with a valid ``X-Twilio-Signature``
(checked by the ``twilio`` library's ``RequestValidator`` over the URL Twilio called and
the form's fields, under ``TWILIO_AUTH_TOKEN``), 403 without one, 400 for a body that is
not a status callback, and its status applied (``services.sms_status_apply``); an error
while applying is a 500 so that Twilio retries (the dedupe makes the retry safe).

The URL signed is ``TWILIO_STATUS_CALLBACK`` itself when set (what Twilio was given,
whatever proxy sits in front of us), else the URL of the request.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from .services.sms_tracking import sms_status_apply


def signature_valid(request) -> bool:
    from twilio.request_validator import SIGNATURE_SETTINGS_HEADER, RequestValidator, get_signature_algorithm

    token = getattr(settings, "TWILIO_AUTH_TOKEN", "")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not (token and signature):
        return False
    url = getattr(settings, "TWILIO_STATUS_CALLBACK", "") or request.build_absolute_uri()
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER, ""))
    return RequestValidator(token).validate(url, request.POST, signature, algorithm=algorithm)


@csrf_exempt
def sms_status_webhook(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not signature_valid(request):
        return HttpResponseForbidden()
    if request.content_type != "application/x-www-form-urlencoded":
        return HttpResponseBadRequest()
    if not (request.POST.get("MessageSid") or request.POST.get("SmsSid")):
        return HttpResponseBadRequest()
    sms_status_apply(params=request.POST)
    return HttpResponse(status=204)
