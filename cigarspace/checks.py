"""System checks on settings that would make a deployment unsafe or broken."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

MINIMUM_SECRET_KEY_LENGTH = 50
HOW_TO_MAKE_A_KEY = (
    "python -c 'import secrets; print(secrets.token_urlsafe(64))'; put it in the environment "
    "(docker compose: SECRET_KEY=... in .env next to docker-compose.yml)."
)
# Keys that have been public (in this repository, its history, or its examples): anyone
# could sign sessions and JWTs with them, however long they are.
PUBLIC_KEYS = frozenset(
    {
        "django-insecure-cigarspace-development-key-do-not-deploy",
        "change-me-to-a-long-random-value-change-me-to-a-long-random-value",
    }
)
PUBLIC_KEY_MARKERS = ("django-insecure", "change-me", "changeme", "unset-secret_key")


def is_public_key(key: str) -> bool:
    lowered = key.lower()
    return key in PUBLIC_KEYS or any(marker in lowered for marker in PUBLIC_KEY_MARKERS)


@register(Tags.security)
def check_secret_key(app_configs=None, **kwargs) -> list:
    """A production start (DEBUG off) needs a real, private, long secret key."""
    if settings.DEBUG:
        return []
    key = settings.SECRET_KEY or ""
    if key == settings.MISSING_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is not set while DEBUG is off.",
                hint=f"Make a key with {HOW_TO_MAKE_A_KEY}",
                id="cigarspace.E001",
            )
        ]
    if is_public_key(key):
        return [
            Error(
                "SECRET_KEY is a public placeholder or development key while DEBUG is off.",
                hint=f"Replace it with a private random key: {HOW_TO_MAKE_A_KEY}",
                id="cigarspace.E001",
            )
        ]
    if len(key) < MINIMUM_SECRET_KEY_LENGTH or len(set(key)) < 5:
        return [
            Error(
                f"SECRET_KEY is too weak ({len(key)} characters) for a production start.",
                hint=f"Use at least {MINIMUM_SECRET_KEY_LENGTH} random characters: "
                f"{HOW_TO_MAKE_A_KEY}",
                id="cigarspace.E002",
            )
        ]
    return []


@register(Tags.security)
def check_jwt_signing_key(app_configs=None, **kwargs) -> list:
    if settings.DEBUG:
        return []
    key = settings.SIMPLE_JWT.get("SIGNING_KEY") or ""
    if is_public_key(key):
        return [
            Error(
                "JWT_SIGNING_KEY is a public placeholder or development key while DEBUG is off.",
                hint="Unset it (the SECRET_KEY is then used) or set a private random key.",
                id="cigarspace.E003",
            )
        ]
    if len(key) < 32:
        return [
            Warning(
                "JWT_SIGNING_KEY is shorter than 32 characters.",
                hint="HS256 keys should carry at least 256 bits.",
                id="cigarspace.W001",
            )
        ]
    return []


@register(Tags.security)
def check_health_monitoring_token(app_configs=None, **kwargs) -> list:
    token = getattr(settings, "HEALTH_MONITORING_TOKEN", None)
    if token and len(token) < 32:
        return [
            Warning(
                "HEALTH_MONITORING_TOKEN is shorter than 32 characters.",
                hint="It opens the health details: use a long random value.",
                id="cigarspace.W002",
            )
        ]
    return []
