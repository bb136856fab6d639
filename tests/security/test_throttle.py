"""Login throttling (campaign/core/throttle.py) on the admin and field app logins."""

import pytest
from django.test import Client
from django.urls import reverse

from campaign.core import throttle

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("login", ["wagtailadmin_login", "fieldapp:login"])
def test_five_failures_lock_the_username_for_this_address(world, login, settings):
    settings.LOGIN_THROTTLE_FAILURES = 5
    client = Client()
    url = reverse(login)
    for _ in range(5):
        response = client.post(url, {"username": "staf", "password": "wrong"})
        assert response.status_code == 200  # the form, with its error
    # Locked, even with the right password: the password is not even checked.
    response = client.post(url, {"username": "STAF", "password": "correct horse battery"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 14 * 60
    assert "15" in response.content.decode()  # "… dalam 15 menit" once translated
    # Another user, or the same user from another address, may still sign in.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(url, {"username": "staf", "password": "correct horse battery"}).status_code == 302
    assert client.post(url, {"username": "admin", "password": "correct horse battery"}).status_code == 302


def test_the_lock_ends_with_the_window_and_success_resets_the_count(world, settings, monkeypatch):
    settings.LOGIN_THROTTLE_FAILURES = 3
    clock = [1_000_000.0]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    url = reverse("fieldapp:login")
    client = Client()
    for _ in range(2):
        client.post(url, {"username": "anggota1", "password": "wrong"})
    assert client.post(url, {"username": "anggota1", "password": "correct horse battery"}).status_code == 302
    client.logout()
    for _ in range(3):
        client.post(url, {"username": "anggota1", "password": "wrong"})
    assert client.post(url, {"username": "anggota1", "password": "wrong"}).status_code == 429
    clock[0] += settings.LOGIN_THROTTLE_WINDOW + 1
    assert throttle.seconds_locked("anggota1", "127.0.0.1") == 0


def test_the_cache_key_holds_no_address_or_username():
    key = throttle._key("staf", "203.0.113.7")
    assert "203.0.113.7" not in key and "staf" not in key
