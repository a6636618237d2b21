"""The admin login is held to the API login's limits (per client IP and per account, one
shared budget) and writes the same audit."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from tests import factories as f
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ADMIN_LOGIN_URL = "/admin/login/"
TOKEN_URL = "/api/v1/auth/token"
OPERATOR_EMAIL = "operator@example.com"


def _admin_login(password: str, *, email: str = OPERATOR_EMAIL, ip: str = "127.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(
        f"{ADMIN_LOGIN_URL}?next=/admin/", {"username": email, "password": password}
    )
    return client, response


def _logged_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


def test_wrong_passwords_then_the_right_one_is_refused(operator):
    for _ in range(5):
        client, response = _admin_login("wrong-password")
        assert response.status_code == 200  # the form again, with its error
        assert not _logged_in(client)

    client, response = _admin_login(PASSWORD)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert b"Too many login attempts" in response.content
    assert not _logged_in(client)


def test_the_account_budget_holds_across_addresses(operator):
    for n in range(5):
        _admin_login("wrong-password", ip=f"198.51.100.{n + 1}")
    client, response = _admin_login(PASSWORD, ip="192.0.2.1")
    assert response.status_code == 429
    assert not _logged_in(client)


def test_the_address_budget_holds_across_accounts(operator):
    for n in range(5):
        _admin_login("wrong-password", email=f"guess{n}@example.com")
    _, response = _admin_login(PASSWORD)
    assert response.status_code == 429
    # Another address still gets in.
    client, response = _admin_login(PASSWORD, ip="203.0.113.9")
    assert response.status_code == 302
    assert _logged_in(client)


def test_the_api_and_the_admin_share_one_budget(operator):
    for _ in range(3):
        response = Client().post(
            TOKEN_URL,
            {"email": OPERATOR_EMAIL, "password": "wrong-password"},
            content_type="application/json",
        )
        assert response.status_code == 401
    for _ in range(2):
        _admin_login("wrong-password")
    _, response = _admin_login(PASSWORD)
    assert response.status_code == 429
    response = Client().post(
        TOKEN_URL, {"email": OPERATOR_EMAIL, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429


def test_a_good_login_still_works_and_every_attempt_is_audited(operator, caplog):
    caplog.set_level(logging.INFO, logger="accounts.login")
    _admin_login("wrong-password")
    client, response = _admin_login(PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)
    # Every attempt counts, a success too (as on the API): 5 per minute.
    for _ in range(3):
        _admin_login("wrong-password")
    _admin_login(PASSWORD)

    outcomes = [(r.channel, r.outcome) for r in caplog.records if r.name == "accounts.login"]
    assert outcomes == [("admin", "failed"), ("admin", "succeeded")] + [("admin", "failed")] * 3 + [
        ("admin", "throttled")
    ]
    assert OPERATOR_EMAIL not in caplog.text  # a digest, never the address
    assert PASSWORD not in caplog.text


def test_the_api_login_writes_the_same_audit(user, caplog):
    caplog.set_level(logging.INFO, logger="accounts.login")
    client = Client()
    for password in ("wrong-password", PASSWORD):
        client.post(
            TOKEN_URL,
            {"email": "reader@example.com", "password": password},
            content_type="application/json",
        )
    for _ in range(5):
        client.post(
            TOKEN_URL,
            {"email": "reader@example.com", "password": "x"},
            content_type="application/json",
        )
    records = [r for r in caplog.records if r.name == "accounts.login"]
    expected = [("api", "failed"), ("api", "succeeded")]
    expected += [("api", "failed")] * 3 + [("api", "throttled")] * 2
    assert [(r.channel, r.outcome) for r in records] == expected
    assert records[0].email_sha256 == records[-1].email_sha256


def test_an_inactive_operator_cannot_log_in_to_the_admin():
    f.OperatorFactory(email="gone@example.com", is_active=False)
    client, response = _admin_login(PASSWORD, email="gone@example.com")
    assert response.status_code == 200
    assert not _logged_in(client)


def test_a_throttled_login_with_a_body_that_is_not_an_object_is_a_429(user):
    client = Client()
    for _ in range(6):
        response = client.post(TOKEN_URL, data="[null, null]", content_type="application/json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
