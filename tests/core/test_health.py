import pytest
from django.db import OperationalError, connection
from django.tasks import task

pytestmark = pytest.mark.django_db


@task()
def noop():
    return None


def test_healthz_reports_database_and_no_queue_with_the_immediate_backend(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "tasks_pending": None}
    assert "no-store" in response["Cache-Control"]


def test_healthz_counts_tasks_waiting_for_a_worker(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    noop.enqueue()
    noop.enqueue()

    assert client.get("/healthz").json()["tasks_pending"] == 2


def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405
