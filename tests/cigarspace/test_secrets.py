"""No public key signs anything: docker compose and the container refuse to start
without real secrets, and development signs with a key of its own installation."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import jwt
import pytest
import yaml
from django.utils import timezone

from cigarspace.checks import PUBLIC_KEYS, check_jwt_signing_key, check_secret_key
from cigarspace.development_key import KEY_FILE_NAME, development_secret_key
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
FORMER_COMPOSE_DEFAULT = "change-me-to-a-long-random-value-change-me-to-a-long-random-value"
FORMER_DEVELOPMENT_KEY = "django-insecure-cigarspace-development-key-do-not-deploy"


def _clean_environment(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "JWT_SIGNING_KEY", "DJANGO_SETTINGS_MODULE", "DEBUG")
    }
    # The entrypoint calls `python`: this interpreter's.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["CIGARSPACE_DATA_DIR"] = str(tmp_path)
    env.update(values)
    return env


def _entrypoint(tmp_path: Path, command: str, **values: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(ROOT / "docker" / "entrypoint.sh"), command],
        cwd=ROOT,
        env=_clean_environment(tmp_path, **values),
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- docker compose ---------------------------------------------------------------------


def test_compose_has_no_default_secret_and_stops_with_how_to_set_it():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["x-app"]["environment"]
    # ${VAR:?message}: compose refuses to start when VAR is unset or empty, printing message.
    match = re.fullmatch(r"\$\{SECRET_KEY:\?(?P<message>.+)\}", environment["SECRET_KEY"])
    assert match, environment["SECRET_KEY"]
    assert ".env" in match["message"]
    assert "secrets.token_urlsafe" in match["message"]
    # JWT_SIGNING_KEY has no default of its own either: unset, it is the SECRET_KEY.
    assert environment["JWT_SIGNING_KEY"] == "${JWT_SIGNING_KEY:-}"
    text = (ROOT / "docker-compose.yml").read_text()
    assert not any(key in text for key in PUBLIC_KEYS)


def test_the_secrets_file_never_enters_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored


@pytest.mark.parametrize(
    ("secret_key", "command"),
    [
        (None, "web"),
        (FORMER_COMPOSE_DEFAULT, "web"),
        (FORMER_DEVELOPMENT_KEY, "web"),
        ("short-but-private", "web"),
        (FORMER_COMPOSE_DEFAULT, "migrate"),
        (FORMER_COMPOSE_DEFAULT, "worker"),
    ],
    ids=["unset", "former-compose-default", "former-development-key", "weak", "migrate", "worker"],
)
def test_the_container_refuses_to_start_without_a_real_secret(tmp_path, secret_key, command):
    values = {"DEBUG": "false"}
    if secret_key is not None:
        values["SECRET_KEY"] = secret_key
    result = _entrypoint(tmp_path, command, **values)

    assert result.returncode == 78, result.stderr[-2000:]
    assert "SECRET_KEY" in result.stderr
    assert "refuses to start" in result.stderr
    assert "secrets.token_urlsafe(64)" in result.stderr
    # Stopped before anything ran: no migration, no server, no static files collected.
    assert not (tmp_path / "static").exists()


def test_the_container_refuses_a_public_jwt_signing_key(tmp_path):
    result = _entrypoint(
        tmp_path,
        "check",
        DEBUG="false",
        SECRET_KEY="Zr8-" + "q7Lm2xV9bKp4" * 5,
        JWT_SIGNING_KEY=FORMER_COMPOSE_DEFAULT,
    )
    assert result.returncode == 78
    assert "cigarspace.E003" in result.stderr


def test_the_container_starts_with_a_real_secret(tmp_path):
    result = _entrypoint(tmp_path, "check", DEBUG="false", SECRET_KEY="Zr8-" + "q7Lm2xV9bKp4" * 5)
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_checks_refuse_public_keys(settings):
    settings.DEBUG = False
    for key in (FORMER_COMPOSE_DEFAULT, FORMER_DEVELOPMENT_KEY, "x" * 20 + "CHANGE-ME" + "y" * 40):
        settings.SECRET_KEY = key
        assert [e.id for e in check_secret_key()] == ["cigarspace.E001"]
        settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": key}
        assert [e.id for e in check_jwt_signing_key()] == ["cigarspace.E003"]


# --- development: a key per installation -----------------------------------------------


def test_a_development_key_is_made_once_per_installation(tmp_path):
    first_install, second_install = tmp_path / "one", tmp_path / "two"

    key = development_secret_key(first_install)

    assert len(key) >= 80
    assert development_secret_key(first_install) == key  # kept: sessions survive restarts
    assert development_secret_key(second_install) != key
    path = first_install / KEY_FILE_NAME
    assert path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in first_install.iterdir()] == [KEY_FILE_NAME]  # no temporary left


def _settings_in_a_process(tmp_path: Path, **values: str) -> list[str]:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY); print(settings.SIMPLE_JWT['SIGNING_KEY'])"
    )
    env = _clean_environment(tmp_path, DJANGO_SETTINGS_MODULE="cigarspace.settings", **values)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()


def test_development_signs_with_the_installation_key_not_a_public_one(tmp_path):
    secret_key, signing_key = _settings_in_a_process(tmp_path, DEBUG="true")

    assert secret_key == (tmp_path / KEY_FILE_NAME).read_text().strip()
    assert signing_key == secret_key
    assert secret_key not in PUBLIC_KEYS
    # A second start reads the same key.
    assert _settings_in_a_process(tmp_path, DEBUG="true")[0] == secret_key
    # A key in the environment still wins.
    assert _settings_in_a_process(tmp_path, DEBUG="true", SECRET_KEY="k" * 60)[0] == "k" * 60


@pytest.mark.django_db
def test_a_year_long_jwt_signed_with_the_former_public_key_is_refused(client, settings):
    user = UserFactory()
    now = int(timezone.now().timestamp())
    forged = jwt.encode(
        {
            "token_type": "access",
            "user_id": str(user.pk),
            "jti": "forged",
            "iat": now,
            "exp": now + 365 * 24 * 3600,
        },
        FORMER_DEVELOPMENT_KEY,
        algorithm="HS256",
    )
    assert settings.SIMPLE_JWT["SIGNING_KEY"] not in PUBLIC_KEYS
    response = client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert response.status_code == 401
