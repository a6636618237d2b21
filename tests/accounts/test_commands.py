"""manage.py createoperator and manage.py apikey."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import ApiKey, User
from accounts.services import AuthenticationError, api_key_authenticate, api_key_create
from tests import factories as f

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "operator-password-long-enough"


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- createoperator ---------------------------------------------------------------------


def test_createoperator_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("CIGARSPACE_OPERATOR_PASSWORD", GOOD_PASSWORD)
    output = _run("createoperator", "--email", "Ops@Example.com")
    user = User.objects.get(email__iexact="ops@example.com")
    assert user.is_admin
    assert user.is_staff
    assert not user.is_superuser
    assert user.check_password(GOOD_PASSWORD)
    assert user.password.startswith("argon2$argon2id$")
    assert "Created operator" in output


def test_createoperator_superuser_flag(monkeypatch):
    monkeypatch.setenv("CIGARSPACE_OPERATOR_PASSWORD", GOOD_PASSWORD)
    _run("createoperator", "--email", "root2@example.com", "--superuser")
    assert User.objects.get(email="root2@example.com").is_superuser


def test_createoperator_prompts_twice_in_a_terminal(monkeypatch):
    monkeypatch.delenv("CIGARSPACE_OPERATOR_PASSWORD", raising=False)
    with (
        mock.patch("sys.stdin.isatty", return_value=True),
        mock.patch("getpass.getpass", side_effect=[GOOD_PASSWORD, GOOD_PASSWORD]) as prompt,
    ):
        _run("createoperator", "--email", "ops@example.com")
    assert prompt.call_count == 2
    assert User.objects.get(email="ops@example.com").check_password(GOOD_PASSWORD)


def test_createoperator_refuses_mismatched_prompts(monkeypatch):
    monkeypatch.delenv("CIGARSPACE_OPERATOR_PASSWORD", raising=False)
    with (
        mock.patch("sys.stdin.isatty", return_value=True),
        mock.patch("getpass.getpass", side_effect=[GOOD_PASSWORD, "something-else-entirely"]),
        pytest.raises(CommandError, match="do not match"),
    ):
        _run("createoperator", "--email", "ops@example.com")
    assert not User.objects.exists()


def test_createoperator_without_a_terminal_or_variable_explains_what_to_do(monkeypatch):
    monkeypatch.delenv("CIGARSPACE_OPERATOR_PASSWORD", raising=False)
    with (
        mock.patch("sys.stdin.isatty", return_value=False),
        pytest.raises(CommandError, match="CIGARSPACE_OPERATOR_PASSWORD"),
    ):
        _run("createoperator", "--email", "ops@example.com")


def test_createoperator_has_no_password_argument():
    with pytest.raises(CommandError, match="unrecognized arguments"):
        _run("createoperator", "--email", "ops@example.com", "--password", GOOD_PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"), [("short", "too short"), ("password1234", "too common")]
)
def test_createoperator_applies_the_password_validators(monkeypatch, password, message):
    monkeypatch.setenv("CIGARSPACE_OPERATOR_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        _run("createoperator", "--email", "ops@example.com")
    assert not User.objects.exists()


def test_createoperator_refuses_an_existing_email(monkeypatch):
    f.UserFactory(email="ops@example.com")
    monkeypatch.setenv("CIGARSPACE_OPERATOR_PASSWORD", GOOD_PASSWORD)
    with pytest.raises(CommandError, match="already exists"):
        _run("createoperator", "--email", "OPS@example.com")


# --- apikey -----------------------------------------------------------------------------


def test_apikey_create_prints_a_working_key_once(operator):
    output = _run(
        "apikey",
        "create",
        "--owner",
        "operator@example.com",
        "--name",
        "price bot",
        "--scope",
        "operator",
        "--expires-days",
        "30",
    )
    secret = output.strip().splitlines()[-1]
    key = ApiKey.objects.get()
    assert secret.startswith(f"{key.prefix}.")
    assert key.scope == "operator"
    assert key.name == "price bot"
    assert dt.timedelta(days=29) < key.expires_at - timezone.now() <= dt.timedelta(days=30)
    assert api_key_authenticate(raw_key=secret) == key


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--owner", "nobody@example.com", "--name", "x"], "No user"),
        (["--owner", "reader@example.com", "--name", "x", "--scope", "operator"], "operator"),
        (["--owner", "reader@example.com", "--name", "x", "--expires-days", "0"], "between"),
    ],
)
def test_apikey_create_refuses_bad_input(user, args, message):
    with pytest.raises(CommandError, match=message):
        _run("apikey", "create", *args)
    assert not ApiKey.objects.exists()


def test_apikey_list_shows_state_but_never_secrets(user, operator):
    active, active_secret = api_key_create(owner=user, name="active one")
    revoked, _ = api_key_create(owner=user, name="revoked one")
    _run("apikey", "revoke", revoked.prefix)
    expired = f.ApiKeyFactory(
        owner=operator, name="old one", expires_at=timezone.now() - dt.timedelta(days=1)
    )
    output = _run("apikey", "list")
    lines = {line.split()[0]: line for line in output.splitlines() if line.startswith("cs_")}
    assert "active" in lines[active.prefix]
    assert "revoked" in lines[revoked.prefix]
    assert "expired" in lines[expired.prefix]
    assert "3 key(s)." in output
    assert active_secret.partition(".")[2] not in output
    only_operator = _run("apikey", "list", "--owner", "operator@example.com")
    assert "1 key(s)." in only_operator


def test_apikey_revoke_stops_the_key(user):
    key, secret = api_key_create(owner=user, name="bot")
    assert "Revoked" in _run("apikey", "revoke", key.prefix)
    key.refresh_from_db()
    assert key.revoked_at is not None
    with pytest.raises(AuthenticationError, match="revoked"):
        api_key_authenticate(raw_key=secret)
    assert "already revoked" in _run("apikey", "revoke", key.prefix)
    with pytest.raises(CommandError, match="No API key"):
        _run("apikey", "revoke", "cs_doesnotexist")
