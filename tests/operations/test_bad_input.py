"""Bad input gets a JSON 4xx in the API's shape, never a 5xx nor Django's HTML page:
deep JSON, lone surrogates, oversized bodies, too many fields, a disallowed Host."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.test import Client

from accounts.throttles import LoginEmailThrottle
from cigarspace.parsers import MAX_JSON_DEPTH, json_problem

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"
REFRESH_URL = "/api/v1/auth/refresh"


def _assert_json_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def _post_json_text(client: Client, url: str, text: str):
    return client.post(url, data=text.encode(), content_type="application/json")


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("url", [TOKEN_URL, REFRESH_URL])
def test_json_nested_a_thousand_deep_is_a_json_400(settings, url, debug):
    settings.DEBUG = debug  # no 169 KB technical page either
    client = Client(raise_request_exception=False)
    body = "[" * 1000 + "]" * 1000  # 2 KB
    error = _assert_json_error(_post_json_text(client, url, body), 400, "parse_error")
    assert "nested deeper" in error["message"]
    # Deep objects too, not only arrays.
    body = '{"a":' * 1000 + "1" + "}" * 1000
    _assert_json_error(_post_json_text(client, url, body), 400, "parse_error")


def test_reasonable_nesting_is_accepted():
    assert json_problem(json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)) is None
    assert json_problem(json.loads("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)))


def test_a_lone_surrogate_in_the_login_email_is_a_json_400():
    client = Client(raise_request_exception=False)
    body = '{"email": "\\ud800@example.com", "password": "a-long-password"}'
    error = _assert_json_error(_post_json_text(client, TOKEN_URL, body), 400, "parse_error")
    assert "surrogate" in error["message"]
    # In a key, anywhere in the document.
    body = '{"refresh": "x", "extra": [{"\\udfff": 1}]}'
    _assert_json_error(_post_json_text(client, REFRESH_URL, body), 400, "parse_error")


def test_the_login_email_throttle_key_is_safe_for_any_string():
    key = LoginEmailThrottle().key_for_email("\ud800@example.com")
    assert key is not None
    key.encode("utf-8")  # storable


def test_a_body_over_the_limit_is_a_json_413():
    client = Client(raise_request_exception=False)
    limit = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = '{"email": "' + "a" * limit + '@example.com", "password": "x"}'
    error = _assert_json_error(_post_json_text(client, TOKEN_URL, body), 413, "payload_too_large")
    assert f"{limit:,}" in error["message"]


def test_more_than_a_thousand_form_fields_is_a_json_400():
    client = Client(raise_request_exception=False)
    fields = "&".join(f"f{n}=x" for n in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.post(TOKEN_URL, data=fields, content_type="application/x-www-form-urlencoded")
    error = _assert_json_error(response, 400, "too_many_fields")
    assert "1,000" in error["message"]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/v1/brands/", "/api/v1/nowhere/", "/health"])
def test_a_disallowed_host_is_a_json_400_on_api_paths(settings, path, debug):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    error = _assert_json_error(
        client.get(path, HTTP_HOST="attacker.example"), 400, "disallowed_host"
    )
    assert "attacker.example" in error["message"]


def test_a_disallowed_host_elsewhere_keeps_djangos_page():
    response = Client(raise_request_exception=False).get("/admin/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_an_unexpected_crash_with_debug_on_is_json_not_the_technical_page(settings):
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    with mock.patch("accounts.api.auth_login", side_effect=RuntimeError("boom")):
        response = client.post(
            TOKEN_URL,
            {"email": "someone@example.com", "password": "a-long-password"},
            content_type="application/json",
        )
    error = _assert_json_error(response, 500)
    assert "boom" not in response.content.decode()
    assert len(response.content) < 500
    assert error["code"] == "server_error"  # as without DEBUG (handler500)


def test_a_non_json_error_of_a_json_path_is_replaced_keeping_its_headers():
    response = Client().post("/health")
    _assert_json_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"
