"""API keys: created with a secret shown once, revoked, authenticated, touched."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import ApiKey, User
from accounts.services.common import (
    API_KEY_LAST_USED_RESOLUTION,
    API_KEY_PREFIX_LENGTH,
    MAX_SECRET_LENGTH,
    SECRET_BYTES,
    AuthenticationError,
    sha256_hex,
)


@transaction.atomic
def api_key_create(
    *,
    owner: User,
    name: str,
    scope: str = ApiKey.Scope.READ,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its full secret, which is never retrievable again."""
    if scope not in ApiKey.Scope.values:
        raise ValidationError({"scope": f"Unknown scope {scope!r}: use read or operator."})
    if scope == ApiKey.Scope.OPERATOR and not owner.is_admin:
        raise ValidationError(
            {"scope": "Only an operator (is_admin) may own an operator-scoped key."}
        )
    if not owner.is_active:
        raise ValidationError({"owner": "A deactivated user cannot own a new API key."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry date is in the past."})
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A key needs a name."})
    prefix = "cs_" + secrets.token_hex(API_KEY_PREFIX_LENGTH // 2)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    key = ApiKey(
        name=name,
        owner=owner,
        prefix=prefix,
        secret_hash=sha256_hex(secret),
        scope=scope,
        expires_at=expires_at,
    )
    key.full_clean()
    key.save()
    return key, f"{prefix}.{secret}"


@transaction.atomic
def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def api_key_authenticate(*, raw_key: str) -> ApiKey:
    """The usable key matching ``<prefix>.<secret>``, or ``AuthenticationError``."""
    prefix, _, secret = raw_key.strip().partition(".")
    if not prefix or not secret or len(raw_key) > MAX_SECRET_LENGTH:
        raise AuthenticationError("Malformed API key.")
    key = ApiKey.objects.select_related("owner").filter(prefix=prefix).first()
    # Compare in constant time even when the prefix is unknown.
    expected = key.secret_hash if key is not None else "0" * 64
    if not hmac.compare_digest(expected, sha256_hex(secret)) or key is None:
        raise AuthenticationError("Invalid API key.")
    if key.revoked_at is not None:
        raise AuthenticationError("This API key has been revoked.")
    now = timezone.now()
    if key.expires_at is not None and key.expires_at <= now:
        raise AuthenticationError("This API key has expired.")
    if not key.owner.is_active:
        raise AuthenticationError("The owner of this API key is deactivated.")
    api_key_touch(key=key, now=now)
    return key


def api_key_touch(*, key: ApiKey, now: datetime) -> bool:
    """Record a use, at most once per minute per key (a conditional UPDATE, so concurrent
    requests write once)."""
    threshold = now - API_KEY_LAST_USED_RESOLUTION
    if key.last_used_at is not None and key.last_used_at > threshold:
        return False
    updated = (
        ApiKey.objects.filter(pk=key.pk)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=threshold))
        .update(last_used_at=now)
    )
    if updated:
        key.last_used_at = now
    return bool(updated)
