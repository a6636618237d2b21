"""Throttling: login per IP and per email, anonymous and authenticated reads; 429 + Retry-After."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import connection
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts.permissions import AnonymousReadOperatorWrite
from accounts.throttles import AnonThrottle, LoginEmailThrottle, UserThrottle
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/auth/me"


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    assert json.loads(response.content)["error"]["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_every_api_is_throttled_by_default():
    assert [AnonThrottle, UserThrottle] == api_settings.DEFAULT_THROTTLE_CLASSES
    rates = api_settings.DEFAULT_THROTTLE_RATES
    assert {"anon", "user", "login", "login_email", "refresh"} <= set(rates)


def test_login_attempts_are_limited_per_ip(api_client, user):
    for n in range(5):
        response = api_client.post(TOKEN_URL, {"email": f"guess{n}@example.com", "password": "x"})
        assert response.status_code == 401
    # Even the right password is refused once the address is over its budget.
    response = api_client.post(TOKEN_URL, {"email": "reader@example.com", "password": PASSWORD})
    _assert_throttled(response)
    # Another address still gets through.
    response = api_client.post(
        TOKEN_URL,
        {"email": "reader@example.com", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 200


def test_login_attempts_are_limited_per_email_across_addresses(api_client, user):
    for n in range(5):
        response = api_client.post(
            TOKEN_URL,
            {"email": "Reader@example.com", "password": "wrong"},
            REMOTE_ADDR=f"198.51.100.{n + 1}",
        )
        assert response.status_code == 401
    response = api_client.post(
        TOKEN_URL, {"email": "reader@example.com", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )
    _assert_throttled(response)


@pytest.mark.django_db(transaction=True)
def test_failed_logins_stay_counted_even_with_atomic_requests(monkeypatch, api_client):
    # A 401 rolls an atomic request back; the counters of failed attempts must survive it.
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    for _ in range(5):
        response = api_client.post(TOKEN_URL, {"email": "x@example.com", "password": "x"})
        assert response.status_code == 401
    _assert_throttled(api_client.post(TOKEN_URL, {"email": "y@example.com", "password": "x"}))


def test_a_forged_forwarded_for_header_does_not_reset_the_ip_budget(api_client, user):
    for n in range(5):
        api_client.post(
            TOKEN_URL,
            {"email": f"guess{n}@example.com", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    response = api_client.post(
        TOKEN_URL,
        {"email": "other@example.com", "password": "x"},
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    _assert_throttled(response)


def test_the_email_counter_key_does_not_store_the_address(api_client):
    api_client.post(TOKEN_URL, {"email": "secret.person@example.com", "password": "x"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_rate_limit")
        keys = [row[0] for row in cursor.fetchall()]
    digest = hashlib.sha256(b"secret.person@example.com").hexdigest()
    assert any(digest in key for key in keys)
    assert not any("secret.person" in key for key in keys)


@pytest.fixture
def tight_rates(monkeypatch):
    # DRF copies the rates onto the class at import time, so patch them there.
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {**SimpleRateThrottle.THROTTLE_RATES, "anon": "3/minute", "user": "2/minute"},
    )


class _PublicApi(APIView):
    """A stand-in for an anonymous-read API (the catalogue), with the default throttles."""

    permission_classes = [AnonymousReadOperatorWrite]

    def get(self, request):
        return Response({"ok": True})


def test_anonymous_reads_are_throttled_per_ip(tight_rates):
    factory = APIRequestFactory()
    for _ in range(3):
        assert _PublicApi.as_view()(factory.get("/x")).status_code == 200
    response = _PublicApi.as_view()(factory.get("/x"))
    response.render()
    _assert_throttled(response)
    other_ip = _PublicApi.as_view()(factory.get("/x", REMOTE_ADDR="203.0.113.7"))
    assert other_ip.status_code == 200


def test_authenticated_requests_are_throttled_per_user(api_client, user, read_key, tight_rates):
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {read_key[1]}"}
    for n in range(2):
        # Different addresses: the budget follows the user, not the IP.
        response = api_client.get(ME_URL, REMOTE_ADDR=f"198.51.100.{n + 1}", **headers)
        assert response.status_code == 200
    _assert_throttled(api_client.get(ME_URL, REMOTE_ADDR="198.51.100.9", **headers))


def test_login_email_throttle_ignores_requests_without_an_email():
    class _Request:
        data = {"password": "x"}

    assert LoginEmailThrottle().get_cache_key(_Request(), view=None) is None
