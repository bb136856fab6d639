"""Provider doubles at the HTTP layer: the real pywa and Twilio clients run, and only the
transport under them (httpx's for pywa, requests' adapter for Twilio) answers locally."""

import itertools
import json
import urllib.parse

import httpx
import pytest
import requests


class CloudApi:
    """Answers like graph.facebook.com's /<phone id>/messages; ``fail`` maps a phone
    (digits) to an exception to raise or an (HTTP status, error code) to answer."""

    def __init__(self):
        self.requests = []
        self.fail = {}
        self._ids = itertools.count(1)

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        to = body["to"]
        failure = self.fail.get(to)
        if isinstance(failure, Exception):
            if isinstance(failure, httpx.ReadTimeout):
                self.requests.append((request, body))  # it went out; the answer was lost
            raise failure
        if failure:
            status, code = failure
            return httpx.Response(
                status,
                json={
                    "error": {
                        "message": "simulated",
                        "type": "OAuthException",
                        "code": code,
                        "fbtrace_id": "x",
                    }
                },
            )
        self.requests.append((request, body))
        return httpx.Response(
            200,
            json={
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": f"wamid.TEST{next(self._ids):06d}", "message_status": "accepted"}],
            },
        )

    def sent_to(self):
        return [body["to"] for _request, body in self.requests]


@pytest.fixture
def cloud_api(monkeypatch, settings):
    settings.WHATSAPP_BACKEND = "campaign.invitations.channels.whatsapp.CloudApiBackend"
    settings.WHATSAPP_PHONE_ID = "106540352242922"
    settings.WHATSAPP_TOKEN = "test-token"  # noqa: S105
    api = CloudApi()

    def handle_request(self, request):
        assert request.url.host == "graph.facebook.com"
        return api.handle(request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle_request)
    return api


class TwilioApi:
    """Answers like api.twilio.com's Messages resource."""

    def __init__(self):
        self.sent = []
        self.fail = {}
        self._ids = itertools.count(1)

    def send(self, adapter, request, **kwargs):
        form = dict(urllib.parse.parse_qsl(request.body))
        to = form["To"]
        failure = self.fail.get(to)
        if isinstance(failure, Exception):
            if isinstance(failure, requests.ReadTimeout):
                self.sent.append(form)
            raise failure
        response = requests.Response()
        response.request = request
        response.url = request.url
        response.headers["Content-Type"] = "application/json"
        if failure:
            status, code = failure
            response.status_code = status
            response._content = json.dumps({"code": code, "message": "simulated", "status": status}).encode()
            return response
        self.sent.append(form)
        sid = f"SM{next(self._ids):032d}"
        response.status_code = 201
        response._content = json.dumps(
            {"sid": sid, "status": "queued", "to": to, "body": form["Body"]}
        ).encode()
        return response


@pytest.fixture
def twilio_api(monkeypatch, settings):
    settings.SMS_BACKEND = "campaign.invitations.channels.sms.TwilioSmsBackend"
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "test-token"  # noqa: S105
    settings.TWILIO_FROM = "BPS NTT"
    api = TwilioApi()
    monkeypatch.setattr(
        requests.adapters.HTTPAdapter, "send", lambda self, request, **kw: api.send(self, request, **kw)
    )
    return api
