"""accounts.services: users, login, refresh rotation and reuse, revocation, pruning."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from accounts.models import RefreshToken, User
from accounts.services import (
    AuthenticationError,
    RefreshTokenReuse,
    auth_login,
    refresh_token_revoke_family,
    refresh_token_rotate,
    refresh_tokens_prune,
    sha256_hex,
    user_authenticate,
    user_create,
    user_deactivate,
    user_set_password,
)
from accounts.services import users as user_services
from tests import factories as f
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _family(row: RefreshToken) -> list[RefreshToken]:
    return list(RefreshToken.objects.filter(family_id=row.family_id).order_by("created_at", "id"))


def _row(secret: str) -> RefreshToken:
    return RefreshToken.objects.get(token_hash=sha256_hex(secret))


# --- users ------------------------------------------------------------------------------


def test_user_create_hashes_with_argon2id_and_lowercases_nothing_but_the_domain():
    user = user_create(email="Ana@Example.COM", password=PASSWORD, is_admin=True)
    assert user.email == "Ana@example.com"
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)
    assert user.is_admin
    assert user.is_staff


def test_user_create_refuses_a_case_insensitive_duplicate():
    f.UserFactory(email="ana@example.com")
    with pytest.raises(ValidationError, match="already exists"):
        user_create(email="ANA@example.com", password=PASSWORD)


def test_user_create_runs_the_password_validators():
    with pytest.raises(ValidationError):
        user_create(email="ana@example.com", password="short")
    assert not User.objects.filter(email="ana@example.com").exists()


def test_authenticate_is_case_insensitive_on_the_email():
    user = f.UserFactory(email="ana@example.com")
    assert user_authenticate(email=" ANA@example.com ", password=PASSWORD) == user


@pytest.mark.parametrize(
    "case", ["unknown email", "wrong password", "inactive user", "unusable password"]
)
def test_authentication_failures_share_one_message(case):
    f.UserFactory(email="ana@example.com")
    f.UserFactory(email="gone@example.com", is_active=False)
    nopass = f.UserFactory(email="nopass@example.com")
    nopass.set_unusable_password()
    nopass.save()
    email, password = {
        "unknown email": ("nobody@example.com", PASSWORD),
        "wrong password": ("ana@example.com", "not-the-password"),
        "inactive user": ("gone@example.com", PASSWORD),
        "unusable password": ("nopass@example.com", PASSWORD),
    }[case]
    with pytest.raises(AuthenticationError) as excinfo:
        user_authenticate(email=email, password=password)
    assert str(excinfo.value) == "No active account matches these credentials."


@pytest.mark.parametrize(
    "email", ["nobody@example.com", "ana@example.com", "gone@example.com", "nopass@example.com"]
)
def test_every_failure_costs_one_argon2_verification(email):
    # Comparable timing without timing the test: every path runs the same hasher once
    # (bench/auth_timing.py prints the actual figures).
    f.UserFactory(email="ana@example.com")
    f.UserFactory(email="gone@example.com", is_active=False)
    nopass = f.UserFactory(email="nopass@example.com")
    nopass.set_unusable_password()
    nopass.save()
    user_services._dummy_password_hash()  # made once per process, not per request
    with (
        mock.patch.object(
            Argon2PasswordHasher, "verify", autospec=True, side_effect=Argon2PasswordHasher.verify
        ) as verify,
        pytest.raises(AuthenticationError),
    ):
        user_authenticate(email=email, password="not-the-password")
    assert verify.call_count == 1


def test_login_upgrading_an_old_hash_does_not_revoke_sessions():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        legacy = make_password(PASSWORD)
    user = f.UserFactory(email="old@example.com")
    User.objects.filter(pk=user.pk).update(password=legacy)
    first = auth_login(email="old@example.com", password=PASSWORD)
    auth_login(email="old@example.com", password=PASSWORD)  # upgrades the hash here
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert _row(first.refresh).revoked_at is None


# --- login and rotation -----------------------------------------------------------------


def test_login_opens_a_family_storing_only_the_hash():
    user = f.UserFactory(email="ana@example.com")
    issued = auth_login(email="ana@example.com", password=PASSWORD, user_agent="curl/8")
    row = RefreshToken.objects.get(user=user)
    assert row.token_hash == sha256_hex(issued.refresh) != issued.refresh
    assert len(issued.refresh) >= 43  # 256 bits, url-safe base64
    assert row.parent is None
    assert row.revoked_at is None
    assert row.user_agent == "curl/8"
    assert row.expires_at == issued.refresh_expires_at
    lifetime = row.expires_at - timezone.now()
    assert dt.timedelta(days=13, hours=23) < lifetime <= dt.timedelta(days=14)
    user.refresh_from_db()
    assert user.last_login is not None


@override_settings(REFRESH_TOKEN_DAYS=2)
def test_refresh_lifetime_is_a_setting():
    f.UserFactory(email="ana@example.com")
    issued = auth_login(email="ana@example.com", password=PASSWORD)
    assert issued.refresh_expires_at - timezone.now() <= dt.timedelta(days=2)


def test_rotation_revokes_the_old_token_and_keeps_the_family():
    f.UserFactory(email="ana@example.com")
    first = auth_login(email="ana@example.com", password=PASSWORD)
    second = refresh_token_rotate(secret=first.refresh, user_agent="app/2")
    old, new = _row(first.refresh), _row(second.refresh)
    assert old.revoked_at is not None
    assert old.revoked_reason == "rotated"
    assert new.revoked_at is None
    assert new.parent == old
    assert new.family_id == old.family_id
    assert new.user_agent == "app/2"


def test_reuse_revokes_the_whole_family_including_rotated_descendants(caplog):
    f.UserFactory(email="ana@example.com")
    first = auth_login(email="ana@example.com", password=PASSWORD)
    second = refresh_token_rotate(secret=first.refresh)
    third = refresh_token_rotate(secret=second.refresh)
    other_session = auth_login(email="ana@example.com", password=PASSWORD)

    with pytest.raises(RefreshTokenReuse):
        refresh_token_rotate(secret=first.refresh)  # a stolen copy of the first token

    assert "Refresh token reuse" in caplog.text
    assert "revoked 1 live token(s)" in caplog.text
    assert first.refresh not in caplog.text

    family = _family(_row(first.refresh))
    assert len(family) == 3
    assert all(row.revoked_at is not None for row in family)
    assert _row(third.refresh).revoked_reason == "reuse-detected"
    # The latest legitimate token of the family is dead too.
    with pytest.raises(RefreshTokenReuse):
        refresh_token_rotate(secret=third.refresh)
    # Another login (another family) is untouched.
    assert _row(other_session.refresh).revoked_at is None


@pytest.mark.parametrize("secret", ["", "x" * 129, "not-a-token-we-issued"])
def test_unknown_or_malformed_refresh_tokens_are_refused(secret):
    with pytest.raises(AuthenticationError, match="invalid"):
        refresh_token_rotate(secret=secret)


def test_expired_refresh_token_is_refused_and_not_rotated():
    f.UserFactory(email="ana@example.com")
    issued = auth_login(email="ana@example.com", password=PASSWORD)
    RefreshToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(AuthenticationError, match="expired"):
        refresh_token_rotate(secret=issued.refresh)
    assert RefreshToken.objects.count() == 1
    assert _row(issued.refresh).revoked_at is None


def test_refresh_of_a_user_deactivated_behind_the_signal_is_refused():
    user = f.UserFactory(email="ana@example.com")
    issued = auth_login(email="ana@example.com", password=PASSWORD)
    User.objects.filter(pk=user.pk).update(is_active=False)  # a raw UPDATE: no signal
    with pytest.raises(AuthenticationError, match="No active account"):
        refresh_token_rotate(secret=issued.refresh)


# --- revocation -------------------------------------------------------------------------


def test_logout_revokes_the_family_only():
    f.UserFactory(email="ana@example.com")
    first = auth_login(email="ana@example.com", password=PASSWORD)
    second = refresh_token_rotate(secret=first.refresh)
    other = auth_login(email="ana@example.com", password=PASSWORD)
    assert refresh_token_revoke_family(secret=second.refresh) == 1  # first was rotated
    assert _row(second.refresh).revoked_reason == "logout"
    assert _row(other.refresh).revoked_at is None
    assert refresh_token_revoke_family(secret="unknown") == 0
    with pytest.raises(RefreshTokenReuse):
        refresh_token_rotate(secret=second.refresh)


def test_password_change_revokes_every_family():
    user = f.UserFactory(email="ana@example.com")
    a = auth_login(email="ana@example.com", password=PASSWORD)
    b = auth_login(email="ana@example.com", password=PASSWORD)
    bystander = f.UserFactory()
    c = auth_login(email=bystander.email, password=PASSWORD)
    user_set_password(user=user, password="another-long-password")
    assert _row(a.refresh).revoked_reason == "password-changed"
    assert _row(b.refresh).revoked_reason == "password-changed"
    assert _row(c.refresh).revoked_at is None
    with pytest.raises(AuthenticationError):
        auth_login(email="ana@example.com", password=PASSWORD)
    assert auth_login(email="ana@example.com", password="another-long-password").refresh


def test_password_change_outside_the_services_also_revokes():
    # The admin's password form and `changepassword` call set_password() + save().
    user = f.UserFactory(email="ana@example.com")
    issued = auth_login(email="ana@example.com", password=PASSWORD)
    user.set_password("another-long-password")
    user.save()
    assert _row(issued.refresh).revoked_reason == "password-changed"


def test_saving_an_active_user_without_a_password_change_revokes_nothing():
    user = f.UserFactory(email="ana@example.com")
    issued = auth_login(email="ana@example.com", password=PASSWORD)
    user.is_admin = True
    user.save()
    assert _row(issued.refresh).revoked_at is None


def test_deactivation_revokes_every_family_and_refuses_login():
    user = f.UserFactory(email="ana@example.com")
    issued = auth_login(email="ana@example.com", password=PASSWORD)
    user_deactivate(user=user)
    assert _row(issued.refresh).revoked_reason == "user-deactivated"
    with pytest.raises(RefreshTokenReuse):
        refresh_token_rotate(secret=issued.refresh)
    with pytest.raises(AuthenticationError):
        auth_login(email="ana@example.com", password=PASSWORD)


def test_prune_deletes_expired_rows_and_keeps_revoked_live_ones():
    now = timezone.now()
    expired = f.RefreshTokenFactory(expires_at=now - dt.timedelta(minutes=1))
    child = f.RefreshTokenFactory(
        user=expired.user, family_id=expired.family_id, parent=expired, revoked_at=now
    )
    live = f.RefreshTokenFactory()
    assert refresh_tokens_prune(now=now) == 1
    remaining = set(RefreshToken.objects.values_list("pk", flat=True))
    assert remaining == {child.pk, live.pk}
    child.refresh_from_db()
    assert child.parent is None
    assert child.revoked_at is not None
