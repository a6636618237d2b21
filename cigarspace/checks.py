"""System checks on settings that would make a deployment unsafe or broken."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

MINIMUM_SECRET_KEY_LENGTH = 50


@register(Tags.security)
def check_secret_key(app_configs=None, **kwargs) -> list:
    """A production start (DEBUG off) needs a real, private, long secret key."""
    if settings.DEBUG:
        return []
    key = settings.SECRET_KEY or ""
    if key == settings.INSECURE_DEVELOPMENT_SECRET_KEY or key.startswith("django-insecure"):
        return [
            Error(
                "SECRET_KEY is the public development key while DEBUG is off.",
                hint="Set SECRET_KEY in the environment to a long random value, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(64))'.",
                id="cigarspace.E001",
            )
        ]
    if len(key) < MINIMUM_SECRET_KEY_LENGTH or len(set(key)) < 5:
        return [
            Error(
                f"SECRET_KEY is too weak ({len(key)} characters) for a production start.",
                hint=f"Use at least {MINIMUM_SECRET_KEY_LENGTH} random characters.",
                id="cigarspace.E002",
            )
        ]
    return []


@register()
def check_jwt_signing_key(app_configs=None, **kwargs) -> list:
    key = settings.SIMPLE_JWT.get("SIGNING_KEY") or ""
    if not settings.DEBUG and len(key) < 32:
        return [
            Warning(
                "JWT_SIGNING_KEY is shorter than 32 characters.",
                hint="HS256 keys should carry at least 256 bits.",
                id="cigarspace.W001",
            )
        ]
    return []
