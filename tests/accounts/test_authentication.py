"""API keys: creation, use through the Api-Key header, expiry, revocation, last use, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from accounts.models import ApiKey
from accounts.permissions import AuthenticatedReadOperatorWrite, IsOperator
from accounts.services import (
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
    sha256_hex,
    user_deactivate,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

ME_URL = "/api/v1/auth/me"


def _key_header(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Api-Key {key}"}


class _MatchesLikeApi(APIView):
    """A stand-in for an API using the shared permission classes (customs, matches)."""

    permission_classes = [AuthenticatedReadOperatorWrite]

    def get(self, request):
        return Response({"read": True})

    def patch(self, request):
        return Response({"written": True})


class _OperatorOnlyApi(APIView):
    permission_classes = [IsOperator]

    def post(self, request):
        return Response({"ok": True})


class _AuthEchoApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response(
            {
                "user": getattr(request.user, "email", None),
                "scope": getattr(request.auth, "api_key_scope", None),
            }
        )


def _call(view, method: str, key: str | None):
    factory = APIRequestFactory()
    headers = _key_header(key) if key else {}
    request = getattr(factory, method)("/x", {}, format="json", **headers)
    return view.as_view()(request)


# --- creation ---------------------------------------------------------------------------


def test_create_returns_the_key_once_and_stores_only_prefix_and_hash(user):
    key, secret = api_key_create(owner=user, name=" ingest bot ", scope="read")
    prefix, _, raw_secret = secret.partition(".")
    assert prefix == key.prefix
    assert prefix.startswith("cs_")
    assert len(raw_secret) >= 43
    assert key.secret_hash == sha256_hex(raw_secret)
    assert key.name == "ingest bot"
    stored = ApiKey.objects.get(pk=key.pk)
    assert raw_secret not in {stored.prefix, stored.secret_hash, stored.name}


def test_operator_scope_needs_an_operator_owner(user, operator):
    with pytest.raises(ValidationError, match="operator"):
        api_key_create(owner=user, name="x", scope="operator")
    key, _ = api_key_create(owner=operator, name="x", scope="operator")
    assert key.scope == "operator"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scope": "admin"}, "Unknown scope"),
        ({"expires_at": "past"}, "in the past"),
        ({"name": "   "}, "needs a name"),
    ],
)
def test_create_refuses_bad_input(user, kwargs, message):
    if kwargs.get("expires_at") == "past":
        kwargs["expires_at"] = timezone.now() - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match=message):
        api_key_create(owner=user, **{"name": "bot", **kwargs})
    assert not ApiKey.objects.exists()


def test_deactivated_user_cannot_get_a_key(user):
    user_deactivate(user=user)
    with pytest.raises(ValidationError, match="deactivated"):
        api_key_create(owner=user, name="bot")


def test_the_database_refuses_a_secret_that_is_not_a_sha256_hex():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.ApiKeyFactory(secret_hash="plain-secret")


# --- use --------------------------------------------------------------------------------


def test_a_read_key_authenticates_as_its_owner(api_client, user, read_key):
    key, secret = read_key
    response = api_client.get(ME_URL, **_key_header(secret))
    assert response.status_code == 200
    assert response.json()["email"] == user.email
    assert response.json()["auth_method"] == "api_key"
    assert response.json()["api_key_scope"] == "read"
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_request_auth_carries_the_scope_for_the_permission_classes(operator_key):
    response = _call(_AuthEchoApi, "get", operator_key[1])
    assert response.data == {"user": "operator@example.com", "scope": "operator"}


@pytest.mark.parametrize(
    "header",
    [
        "Api-Key",
        "Api-Key a b",
        "Api-Key no-dot-here",
        "Api-Key cs_000000000000.wrong-secret",
        "Api-Key .only-a-secret",
    ],
)
def test_malformed_or_unknown_keys_answer_401(api_client, read_key, header):
    response = api_client.get(ME_URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"invalid_api_key", "bad_authorization_header"}


def test_a_right_prefix_with_a_wrong_secret_is_refused(api_client, read_key):
    key, _ = read_key
    response = api_client.get(ME_URL, **_key_header(f"{key.prefix}.{'A' * 43}"))
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Invalid API key."


def test_an_expired_key_is_refused(api_client, user):
    key, secret = api_key_create(
        owner=user, name="bot", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    assert api_client.get(ME_URL, **_key_header(secret)).status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = api_client.get(ME_URL, **_key_header(secret))
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This API key has expired."


def test_a_revoked_key_is_refused(api_client, read_key):
    key, secret = read_key
    api_key_revoke(key=key)
    revoked_at = key.revoked_at
    api_key_revoke(key=key)  # idempotent: the first revocation time stays
    key.refresh_from_db()
    assert key.revoked_at == revoked_at
    response = api_client.get(ME_URL, **_key_header(secret))
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This API key has been revoked."


def test_the_key_of_a_deactivated_owner_is_refused(api_client, user, read_key):
    user_deactivate(user=user)
    response = api_client.get(ME_URL, **_key_header(read_key[1]))
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The owner of this API key is deactivated."


def test_last_used_at_is_written_at_most_once_a_minute(read_key):
    key, secret = read_key
    api_key_authenticate(raw_key=secret)
    key.refresh_from_db()
    first_use = key.last_used_at
    assert first_use is not None

    with CaptureQueriesContext(connection) as queries:
        api_key_authenticate(raw_key=secret)
    assert not any(q["sql"].startswith("UPDATE") for q in queries.captured_queries)
    key.refresh_from_db()
    assert key.last_used_at == first_use

    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first_use - dt.timedelta(seconds=61))
    api_key_authenticate(raw_key=secret)
    key.refresh_from_db()
    assert key.last_used_at > first_use


# --- scope enforcement ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key_fixture", "method", "expected"),
    [
        ("read_key", "get", 200),
        ("read_key", "patch", 403),
        ("operator_key", "get", 200),
        ("operator_key", "patch", 200),
    ],
)
def test_key_scope_caps_what_the_key_may_do(request, key_fixture, method, expected):
    _, secret = request.getfixturevalue(key_fixture)
    assert _call(_MatchesLikeApi, method, secret).status_code == expected


def test_a_read_key_of_an_operator_cannot_write(operator):
    # The key never acts with more than its scope, even if its owner could.
    _, secret = api_key_create(owner=operator, name="read-only", scope="read")
    assert _call(_OperatorOnlyApi, "post", secret).status_code == 403
    assert _call(_MatchesLikeApi, "get", secret).status_code == 200


def test_an_operator_key_stops_writing_when_its_owner_loses_operator_rights(operator_key):
    key, secret = operator_key
    key.owner.is_admin = False
    key.owner.save()
    assert _call(_OperatorOnlyApi, "post", secret).status_code == 403
    assert _call(_MatchesLikeApi, "get", secret).status_code == 200


def test_no_credentials_cannot_read_authenticated_apis():
    assert _call(_MatchesLikeApi, "get", None).status_code == 401
