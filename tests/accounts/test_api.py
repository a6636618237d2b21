"""The auth endpoints end to end: token, refresh, logout, me, and the JWTs they hand out."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading

import jwt
import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import RefreshToken
from accounts.services import sha256_hex, user_deactivate, user_set_password
from tests import factories as f
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"
REFRESH_URL = "/api/v1/auth/refresh"
LOGOUT_URL = "/api/v1/auth/logout"
ME_URL = "/api/v1/auth/me"


def _bearer(client: APIClient, access: str) -> None:
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")


def _row(secret: str) -> RefreshToken:
    return RefreshToken.objects.get(token_hash=sha256_hex(secret))


# --- POST auth/token --------------------------------------------------------------------


def test_login_returns_an_access_jwt_and_an_opaque_refresh(api_client, user):
    response = api_client.post(
        TOKEN_URL, {"email": "READER@example.com", "password": PASSWORD}, HTTP_USER_AGENT="t/1"
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "token_type",
        "access",
        "access_expires_at",
        "refresh",
        "refresh_expires_at",
    }
    assert body["token_type"] == "Bearer"
    header = jwt.get_unverified_header(body["access"])
    assert header["alg"] == "HS256"
    claims = jwt.decode(body["access"], settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])
    assert claims["user_id"] == str(user.pk)
    assert claims["token_type"] == "access"
    assert claims["exp"] - claims["iat"] == 10 * 60  # ACCESS_TOKEN_MINUTES default
    assert "." not in body["refresh"]  # opaque, not a JWT
    row = _row(body["refresh"])
    assert row.user == user
    assert row.user_agent == "t/1"


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("nobody@example.com", PASSWORD),
        ("reader@example.com", "wrong-password-here"),
        ("inactive@example.com", PASSWORD),
    ],
)
def test_login_failures_are_indistinguishable(api_client, user, email, password):
    f.UserFactory(email="inactive@example.com", is_active=False)
    response = api_client.post(TOKEN_URL, {"email": email, "password": password})
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "authentication_failed",
            "message": "No active account matches these credentials.",
            "details": None,
        }
    }
    assert not RefreshToken.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"email": "reader@example.com"},
        {"email": "not-an-email", "password": PASSWORD},
        {"email": "reader@example.com", "password": "x" * 1025},
    ],
)
def test_login_with_bad_input_answers_400_json(api_client, user, payload):
    response = api_client.post(TOKEN_URL, payload)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_login_ignores_a_stale_authorization_header(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.junk")
    response = api_client.post(TOKEN_URL, {"email": "reader@example.com", "password": PASSWORD})
    assert response.status_code == 200


# --- GET auth/me and the access token ---------------------------------------------------


def test_me_with_a_fresh_access_token(api_client, user, login):
    _bearer(api_client, login("reader@example.com")["access"])
    response = api_client.get(ME_URL)
    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": "reader@example.com",
        "is_admin": False,
        "created_at": response.json()["created_at"],
        "auth_method": "jwt",
        "api_key_scope": None,
    }


def test_me_with_an_admin_session(api_client, operator):
    api_client.force_login(operator)
    response = api_client.get(ME_URL)
    assert response.status_code == 200
    assert response.json()["auth_method"] == "session"
    assert response.json()["is_admin"] is True


def test_me_without_credentials_is_401_with_a_bearer_challenge(api_client):
    response = api_client.get(ME_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "not_authenticated"


def _segments(token: str) -> list[str]:
    return token.split(".")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _tampered_payload(token: str, **changes) -> str:
    header, _, signature = _segments(token)
    return ".".join([header, _b64({**_claims(token), **changes}), signature])


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda t, other: _tampered_payload(t, user_id=str(other.pk)), id="payload"),
        pytest.param(
            lambda t, other: jwt.encode(
                _claims(t), "another-signing-key-of-at-least-32-bytes", algorithm="HS256"
            ),
            id="wrong-key",
        ),
        pytest.param(
            lambda t, other: jwt.encode(
                {**_claims(t), "user_id": str(other.pk)}, None, algorithm="none"
            ),
            id="alg-none",
        ),
        pytest.param(
            lambda t, other: ".".join([_b64({"alg": "none", "typ": "JWT"}), _segments(t)[1], ""]),
            id="alg-none-header-swap",
        ),
        pytest.param(
            lambda t, other: jwt.encode(
                _claims(t), settings.SIMPLE_JWT["SIGNING_KEY"] * 2, algorithm="HS512"
            ),
            id="other-algorithm",
        ),
        pytest.param(lambda t, other: t[:-3] + ("AAA" if t[-3:] != "AAA" else "BBB"), id="sig"),
    ],
)
def test_forged_access_tokens_are_refused(api_client, user, operator, login, forge):
    genuine = login("reader@example.com")["access"]
    _bearer(api_client, forge(genuine, operator))
    response = api_client.get(ME_URL)
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "token_not_valid",
        "message": "Given token not valid for any token type",
        "details": None,
    }


def test_expired_access_token_is_refused(api_client, user):
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - dt.timedelta(minutes=11))
    _bearer(api_client, str(token))
    response = api_client.get(ME_URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


def test_access_token_of_a_deactivated_user_is_refused(api_client, user, login):
    access = login("reader@example.com")["access"]
    user_deactivate(user=user)
    _bearer(api_client, access)
    response = api_client.get(ME_URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "user_inactive"


def test_access_token_issued_before_a_password_change_is_refused(api_client, user, login):
    access = login("reader@example.com")["access"]
    user_set_password(user=user, password="a-brand-new-password")
    _bearer(api_client, access)
    assert api_client.get(ME_URL).status_code == 401


# --- POST auth/refresh ------------------------------------------------------------------


def test_refresh_rotates_and_the_new_pair_works(api_client, user, login):
    first = login("reader@example.com")
    response = api_client.post(REFRESH_URL, {"refresh": first["refresh"]})
    assert response.status_code == 200
    second = response.json()
    assert second["refresh"] != first["refresh"]
    assert _row(first["refresh"]).revoked_reason == "rotated"
    assert _row(second["refresh"]).parent == _row(first["refresh"])
    _bearer(api_client, second["access"])
    assert api_client.get(ME_URL).status_code == 200


def test_expired_refresh_answers_401(api_client, user, login):
    first = login("reader@example.com")
    RefreshToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = api_client.post(REFRESH_URL, {"refresh": first["refresh"]})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The refresh token has expired."


def test_refresh_with_an_unknown_token_answers_401(api_client):
    response = api_client.post(REFRESH_URL, {"refresh": "made-up"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_refresh_after_deactivation_answers_401(api_client, user, login):
    first = login("reader@example.com")
    user_deactivate(user=user)
    assert api_client.post(REFRESH_URL, {"refresh": first["refresh"]}).status_code == 401


def test_refresh_after_password_change_answers_401(api_client, user, login):
    first = login("reader@example.com")
    user_set_password(user=user, password="a-brand-new-password")
    assert api_client.post(REFRESH_URL, {"refresh": first["refresh"]}).status_code == 401


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("atomic_requests", [False, True])
def test_reuse_answers_401_and_the_family_revocation_is_committed(
    monkeypatch, login, atomic_requests
):
    # transaction=True: nothing wraps the request, so what we read back was committed.
    # ATOMIC_REQUESTS=True is the configuration where a revocation made inside the
    # request's transaction would be rolled back with the 401.
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", atomic_requests)
    f.UserFactory(email="ana@example.com")
    client = APIClient()
    first = login("ana@example.com")
    second = client.post(REFRESH_URL, {"refresh": first["refresh"]}).json()
    third = client.post(REFRESH_URL, {"refresh": second["refresh"]}).json()

    replay = client.post(REFRESH_URL, {"refresh": first["refresh"]})

    assert replay.status_code == 401
    assert replay.json()["error"]["message"] == (
        "The refresh token has been revoked; its session is closed."
    )
    # Read the rows on a fresh connection: only committed data is visible there.
    fresh = connections.create_connection("default")
    try:
        with fresh.cursor() as cursor:
            cursor.execute(
                "SELECT token_hash, revoked_at IS NOT NULL, revoked_reason FROM refresh_token"
            )
            rows = {token_hash: (revoked, reason) for token_hash, revoked, reason in cursor}
    finally:
        fresh.close()
    assert rows == {
        sha256_hex(first["refresh"]): (True, "rotated"),
        sha256_hex(second["refresh"]): (True, "rotated"),
        sha256_hex(third["refresh"]): (True, "reuse-detected"),
    }
    # The legitimate holder's newest token is dead as well.
    assert client.post(REFRESH_URL, {"refresh": third["refresh"]}).status_code == 401


def _refresh_concurrently(secret: str, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = []

    def refresh() -> None:
        try:
            client = APIClient()
            barrier.wait(timeout=10)
            results.append(client.post(REFRESH_URL, {"refresh": secret}))
        except Exception as exc:  # surfaced by the assertions of the caller
            results.append(exc)
        finally:
            connections.close_all()  # each thread has its own connection

    threads = [threading.Thread(target=refresh) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_of_one_token_get_the_same_successor(login, settings):
    # A client racing itself (two tabs, a retry after a lost answer) stays logged in.
    settings.REFRESH_TOKEN_REUSE_GRACE_SECONDS = 30
    f.UserFactory(email="ana@example.com")
    first = login("ana@example.com")

    results = _refresh_concurrently(first["refresh"], count=3)

    assert [getattr(r, "status_code", repr(r)) for r in results] == [200, 200, 200]
    bodies = [r.json() for r in results]
    assert len({body["refresh"] for body in bodies}) == 1
    successor = bodies[0]["refresh"]
    family = RefreshToken.objects.filter(family_id=_row(first["refresh"]).family_id)
    assert family.count() == 2  # one successor, not one per request
    assert _row(first["refresh"]).revoked_reason == "rotated"
    assert _row(successor).revoked_at is None
    # The successor goes on working: the session was not revoked.
    client = APIClient()
    response = client.post(REFRESH_URL, {"refresh": successor})
    assert response.status_code == 200
    _bearer(client, response.json()["access"])
    assert client.get(ME_URL).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_without_a_grace_window_the_loser_of_a_race_revokes_the_family(login, settings):
    settings.REFRESH_TOKEN_REUSE_GRACE_SECONDS = 0
    f.UserFactory(email="ana@example.com")
    first = login("ana@example.com")

    results = _refresh_concurrently(first["refresh"], count=2)

    assert sorted(getattr(r, "status_code", repr(r)) for r in results) == [200, 401]
    family = RefreshToken.objects.filter(family_id=_row(first["refresh"]).family_id)
    assert not family.filter(revoked_at__isnull=True).exists()


def test_a_repeat_after_the_grace_window_is_reuse_and_revokes_the_family(
    api_client, user, login, settings
):
    settings.REFRESH_TOKEN_REUSE_GRACE_SECONDS = 10
    first = login("reader@example.com")
    second = api_client.post(REFRESH_URL, {"refresh": first["refresh"]}).json()
    # The rotation happened 11 seconds ago: the window is closed.
    RefreshToken.objects.filter(token_hash=sha256_hex(first["refresh"])).update(
        revoked_at=timezone.now() - dt.timedelta(seconds=11)
    )

    replay = api_client.post(REFRESH_URL, {"refresh": first["refresh"]})

    assert replay.status_code == 401
    assert _row(second["refresh"]).revoked_reason == "reuse-detected"
    assert api_client.post(REFRESH_URL, {"refresh": second["refresh"]}).status_code == 401


def test_a_repeat_within_the_window_after_a_logout_is_still_refused(
    api_client, user, login, settings
):
    # The grace hands out a *live* successor only: a closed session stays closed.
    settings.REFRESH_TOKEN_REUSE_GRACE_SECONDS = 30
    first = login("reader@example.com")
    second = api_client.post(REFRESH_URL, {"refresh": first["refresh"]}).json()
    assert api_client.post(LOGOUT_URL, {"refresh": second["refresh"]}).status_code == 204

    assert api_client.post(REFRESH_URL, {"refresh": first["refresh"]}).status_code == 401


def test_the_successor_secret_is_stored_as_a_hash_only(api_client, user, login, settings):
    settings.REFRESH_TOKEN_REUSE_GRACE_SECONDS = 30
    first = login("reader@example.com")
    second = api_client.post(REFRESH_URL, {"refresh": first["refresh"]}).json()
    again = api_client.post(REFRESH_URL, {"refresh": first["refresh"]}).json()
    assert again["refresh"] == second["refresh"]
    assert again["access"]  # a fresh access token each time
    stored = RefreshToken.objects.values_list("token_hash", flat=True)
    assert second["refresh"] not in "".join(stored)
    assert sha256_hex(second["refresh"]) in stored


# --- POST auth/logout -------------------------------------------------------------------


def test_logout_revokes_the_family_and_answers_204(api_client, user, login):
    first = login("reader@example.com")
    second = api_client.post(REFRESH_URL, {"refresh": first["refresh"]}).json()
    other = login("reader@example.com")
    response = api_client.post(LOGOUT_URL, {"refresh": second["refresh"]})
    assert response.status_code == 204
    assert _row(second["refresh"]).revoked_reason == "logout"
    assert _row(other["refresh"]).revoked_at is None
    assert api_client.post(REFRESH_URL, {"refresh": second["refresh"]}).status_code == 401


def test_logout_is_idempotent_and_does_not_reveal_unknown_tokens(api_client):
    assert api_client.post(LOGOUT_URL, {"refresh": "never-issued"}).status_code == 204
    assert api_client.post(LOGOUT_URL, {}).status_code == 400
