"""The rehearsal's load: public pages 60%, guide PDFs 20%, RSVP 10%, webhook bursts 5%,
field-app sync 5% (user classes weighted so, each at one task a second), plus two staff
on the dashboard.

Run by scripts/rehearsal/run.py with REHEARSAL_FIXTURE (JSON written by the driver:
URLs, tokens, logins, message IDs) and REHEARSAL_STATUS_FILE (status classes per route,
written when locust quits). The server runs production settings on plain HTTP, so the
session and CSRF cookies carry the Secure flag; the client clears that flag in its own jar
(loopback only) instead of weakening the server.
"""

import base64
import datetime
import itertools
import json
import os
import random
import re
import uuid
from collections import Counter, defaultdict

from locust import HttpUser, constant_throughput, events, task

FIXTURE = json.loads(open(os.environ["REHEARSAL_FIXTURE"]).read())  # noqa: PTH123, SIM115
STATUS = defaultdict(Counter)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_FIELD_SLOTS = itertools.count()  # each simulated field user takes its own accounts
AUTH = "Basic " + base64.b64encode(FIXTURE["webhook_auth"].encode()).decode()


SAMPLES = {}


@events.request.add_listener
def _count(request_type, name, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    key = f"{request_type} {name}"
    STATUS[key][str(status) if status else "error"] += 1
    if (exception or status >= 400) and (key, status) not in SAMPLES:
        # The first answer of each failing kind, to tell why without reading server logs.
        body = getattr(response, "text", "") or str(exception)
        SAMPLES[(key, status)] = " ".join(body.split())[:160]


@events.quitting.add_listener
def _write(environment, **kwargs):
    with open(os.environ["REHEARSAL_STATUS_FILE"], "w") as out:  # noqa: PTH123
        json.dump(
            {
                "statuses": {name: dict(counts) for name, counts in STATUS.items()},
                "samples": [[key, status, body] for (key, status), body in SAMPLES.items()],
            },
            out,
        )


def _unsecure(client):
    for cookie in client.cookies:
        cookie.secure = False


def _login(client, url, username, password, name):
    page = client.get(url, name=name)
    _unsecure(client)
    token = CSRF.search(page.text)
    client.post(
        url,
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
        name=name,
        allow_redirects=False,
    )
    _unsecure(client)


RATE = constant_throughput(float(os.environ.get("REHEARSAL_USER_RPS", "1")))


class Public(HttpUser):
    """The public: news and guide pages (60) and guide PDFs (20); no cookies."""

    weight = 80
    wait_time = RATE

    @task(60)
    def page(self):
        url = random.choice(FIXTURE["pages"])  # noqa: S311
        self.client.get(url, name="page " + FIXTURE["page_names"].get(url, "other"))

    @task(20)
    def guide_pdf(self):
        self.client.get(random.choice(FIXTURE["pdfs"]), name="guide PDF")  # noqa: S311


class Contact(HttpUser):
    """Institution contacts opening their invitation link; half of them answer."""

    weight = 10
    wait_time = RATE

    @task
    def rsvp(self):
        url = "/undangan/" + random.choice(FIXTURE["rsvp_tokens"]) + "/"  # noqa: S311
        page = self.client.get(url, name="RSVP GET")
        _unsecure(self.client)
        token = CSRF.search(page.text)
        if random.random() < 0.5 and token:  # noqa: S311
            self.client.post(
                url,
                data={"answer": "decline", "csrfmiddlewaretoken": token.group(1), "note": "rehearsal"},
                name="RSVP POST",
            )


class Provider(HttpUser):
    """The mail provider's tracking webhook: bursts of 10 events."""

    weight = 5
    wait_time = RATE

    @task
    def webhook_burst(self):
        base = datetime.datetime(2020, 3, 1, tzinfo=datetime.UTC)
        for _ in range(10):
            email, message_id = random.choice(FIXTURE["messages"])  # noqa: S311
            at = base + datetime.timedelta(microseconds=random.randrange(10**12))  # noqa: S311
            body = {
                "RecordType": "Open",
                "MessageID": message_id,
                "Recipient": email,
                "ReceivedAt": at.isoformat().replace("+00:00", "Z"),
                "UserAgent": "Mozilla/5.0 (Linux; Android 10) Mobile",
            }
            self.client.post(
                "/anymail/postmark/tracking/",
                data=json.dumps(body),
                headers={"Authorization": AUTH, "Content-Type": "application/json"},
                name="webhook event",
            )


class FieldMember(HttpUser):
    """Field team phones syncing: this week's list, then a recorded session. Each simulated
    user holds the sign-ins of several members (one cookie jar each) and takes them in turn,
    so every account syncs a few times a minute, as a busy team's phones do."""

    weight = 5
    wait_time = RATE
    phones = 6

    def on_start(self):
        first = next(_FIELD_SLOTS) * self.phones
        accounts = FIXTURE["field_users"]
        self.accounts = []
        for n in range(self.phones):
            account = accounts[(first + n) % len(accounts)]
            self.client.cookies.clear()
            _login(self.client, "/lapangan/masuk/", account["username"], FIXTURE["password"], "field login")
            self.accounts.append((account, self.client.cookies.copy()))
        self.turn = itertools.cycle(self.accounts)

    @task
    def field_sync(self):
        account, jar = next(self.turn)
        self.client.cookies = jar
        self.client.get(f"/lapangan/api/week?team={account['team']}", name="field week")
        csrf = jar.get("csrftoken", "")
        payload = {
            "client_id": str(uuid.uuid4()),
            "team": account["team"],
            "institution": random.choice(account["institutions"]),  # noqa: S311
            "starts_at": account["session_time"],
            "status": "held",
            "people_guided": 12,
            "people_completed": 8,
            "notes": "rehearsal",
        }
        self.client.post(
            "/lapangan/api/sessions",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json", "X-CSRFToken": csrf},
            name="field sync",
        )


class Staff(HttpUser):
    fixed_count = 2
    wait_time = constant_throughput(0.5)

    def on_start(self):
        _login(self.client, "/admin/login/", FIXTURE["staff"], FIXTURE["password"], "staff login")

    @task
    def dashboard(self):
        self.client.get("/admin/campaign/dashboard/", name="staff dashboard")
