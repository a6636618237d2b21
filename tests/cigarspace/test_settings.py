"""Settings parsing is strict, and production without a real secret fails the checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from cigarspace.checks import check_secret_key
from cigarspace.env import Env


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("TRUE", True), ("off", False), ("no", False)]
)
def test_bool_accepts_the_usual_spellings(raw, expected):
    assert Env({"DEBUG": raw}).bool("DEBUG", default=not expected) is expected


@pytest.mark.parametrize("raw", ["ture", "2", "yess", "enabled"])
def test_bool_rejects_junk_naming_the_variable(raw):
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        Env({"DEBUG": raw}).bool("DEBUG", default=False)


def test_unset_and_empty_mean_the_default():
    assert Env({}).bool("DEBUG", default=True) is True
    assert Env({"DEBUG": "  "}).bool("DEBUG", default=False) is False
    assert Env({}).int("Q_WORKERS", default=2) == 2


def test_int_rejects_junk_and_out_of_range():
    with pytest.raises(ImproperlyConfigured, match="Q_WORKERS"):
        Env({"Q_WORKERS": "two"}).int("Q_WORKERS", default=2)
    with pytest.raises(ImproperlyConfigured, match="minimum"):
        Env({"Q_WORKERS": "0"}).int("Q_WORKERS", default=2, minimum=1)


def test_list_rejects_empty_items():
    assert Env({"ALLOWED_HOSTS": "a.example, b.example"}).list("ALLOWED_HOSTS", default=[]) == [
        "a.example",
        "b.example",
    ]
    with pytest.raises(ImproperlyConfigured, match="empty item"):
        Env({"ALLOWED_HOSTS": "a.example,,b"}).list("ALLOWED_HOSTS", default=[])


def test_database_url_must_be_postgresql():
    parsed = Env({"DATABASE_URL": "postgresql://u:p@db:5432/cigars"}).database_url("DATABASE_URL")
    assert parsed["NAME"] == "cigars"
    assert parsed["HOST"] == "db"
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL"):
        Env({"DATABASE_URL": "sqlite:///db.sqlite3"}).database_url("DATABASE_URL")
    with pytest.raises(ImproperlyConfigured, match="names no database"):
        Env({"DATABASE_URL": "postgresql://u:p@db:5432"}).database_url("DATABASE_URL")
    assert Env({}).database_url("DATABASE_URL") is None


def test_choice_and_path():
    with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL"):
        Env({"LOG_LEVEL": "LOUD"}).choice("LOG_LEVEL", "INFO", ("INFO", "DEBUG"))
    assert Env({"D": "/srv/x/../y"}).path("D", Path("/z")) == Path("/srv/y")


def test_production_without_a_real_secret_key_fails_the_check(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = settings.MISSING_SECRET_KEY
    assert [e.id for e in check_secret_key()] == ["cigarspace.E001"]
    settings.SECRET_KEY = "short"
    assert [e.id for e in check_secret_key()] == ["cigarspace.E002"]
    settings.SECRET_KEY = "k7Yp2-" * 12
    assert check_secret_key() == []


@override_settings(DEBUG=True)
def test_development_key_is_fine_in_debug(settings):
    settings.SECRET_KEY = settings.MISSING_SECRET_KEY
    assert check_secret_key() == []


def test_check_command_fails_for_a_production_start(tmp_path):
    """The real thing: `manage.py check --deploy` in a process with DEBUG off, no key."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env.update(DEBUG="false", CIGARSPACE_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "cigarspace.E001" in result.stderr

    env["DEBUG"] = "maybe"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_unknown_api_route_answers_json_404(client, settings):
    settings.DEBUG = True  # even with Django's technical 404 page switched on
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_structured_error_details_keep_a_readable_message():
    from rest_framework import exceptions

    from cigarspace.api import exception_handler

    exc = exceptions.AuthenticationFailed(
        {"detail": "Given token not valid for any token type", "code": "token_not_valid"}
    )
    response = exception_handler(exc, {})
    error = response.data["error"]
    assert error["message"] == "Given token not valid for any token type"
    assert error["code"] == "token_not_valid"
    assert response.status_code == 401
