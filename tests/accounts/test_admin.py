"""The accounts admin: API keys shown once on creation, revocation actions, user changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiKey, RefreshToken
from accounts.services import api_key_authenticate, api_key_create, auth_login, sha256_hex
from tests import factories as f
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:accounts_apikey_add")
CHANGELIST_URL = reverse("admin:accounts_apikey_changelist")


def test_creating_a_key_in_the_admin_shows_the_secret_once(admin_client_logged_in, operator):
    response = admin_client_logged_in.post(
        ADD_URL, {"name": "ingest", "owner": operator.pk, "scope": "operator", "expires_at": ""}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get()
    secret = response.context["secret"]
    assert secret.encode() in response.content
    assert b"shown only once" in response.content
    assert api_key_authenticate(raw_key=secret) == key
    # The change page never shows it again, nor its hash.
    change = admin_client_logged_in.get(reverse("admin:accounts_apikey_change", args=[key.pk]))
    assert change.status_code == 200
    assert secret.partition(".")[2].encode() not in change.content
    assert key.secret_hash.encode() not in change.content


def test_the_admin_refuses_an_operator_key_for_a_reader(admin_client_logged_in, user):
    response = admin_client_logged_in.post(
        ADD_URL, {"name": "x", "owner": user.pk, "scope": "operator", "expires_at": ""}
    )
    assert response.status_code == 200
    assert "Only an operator" in str(response.context["adminform"].form.errors)
    assert not ApiKey.objects.exists()


def test_the_admin_refuses_a_past_expiry(admin_client_logged_in, user):
    past = timezone.localtime() - dt.timedelta(days=1)
    response = admin_client_logged_in.post(
        ADD_URL,
        {
            "name": "x",
            "owner": user.pk,
            "scope": "read",
            "expires_at_0": past.strftime("%Y-%m-%d"),
            "expires_at_1": past.strftime("%H:%M:%S"),
        },
    )
    assert "in the past" in str(response.context["adminform"].form.errors)
    assert not ApiKey.objects.exists()


def test_revoke_action(admin_client_logged_in, user):
    key, _ = api_key_create(owner=user, name="bot")
    response = admin_client_logged_in.post(
        CHANGELIST_URL, {"action": "revoke_keys", "_selected_action": [key.pk]}, follow=True
    )
    assert "Revoked 1 API key(s)." in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_changelist_and_search(admin_client_logged_in, user):
    api_key_create(owner=user, name="findable bot")
    response = admin_client_logged_in.get(CHANGELIST_URL, {"q": "findable"})
    assert response.status_code == 200
    assert b"findable bot" in response.content


def test_refresh_token_action_revokes_whole_families(admin_client_logged_in, user):
    issued = auth_login(email=user.email, password=PASSWORD)
    other = auth_login(email=user.email, password=PASSWORD)
    row = RefreshToken.objects.get(
        parent__isnull=True,
        revoked_at__isnull=True,
        pk__lte=min(RefreshToken.objects.values_list("pk", flat=True)),
    )
    response = admin_client_logged_in.post(
        reverse("admin:accounts_refreshtoken_changelist"),
        {"action": "revoke_families", "_selected_action": [row.pk]},
        follow=True,
    )
    assert "Revoked 1 refresh token(s) in 1 session(s)." in response.content.decode()
    states = dict(RefreshToken.objects.values_list("token_hash", "revoked_reason"))
    assert states[sha256_hex(issued.refresh)] == "admin"
    assert states[sha256_hex(other.refresh)] == ""


def test_deactivating_a_user_in_the_admin_revokes_their_sessions(admin_client_logged_in):
    user = f.UserFactory(email="leaver@example.com")
    auth_login(email="leaver@example.com", password=PASSWORD)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = admin_client_logged_in.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update({"is_active": "", "groups": [], "user_permissions": []})
    data = {k: v for k, v in data.items() if k not in ("last_login", "created_at", "updated_at")}
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert RefreshToken.objects.get(user=user).revoked_reason == "user-deactivated"
