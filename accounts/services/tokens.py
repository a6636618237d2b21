"""Login and refresh tokens: a login opens a family, each refresh rotates its token (with a
short grace for a client racing itself), reuse revokes the family."""

from __future__ import annotations

import base64
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import RefreshToken, User
from accounts.services.common import (
    MAX_SECRET_LENGTH,
    REVOKED_LOGOUT,
    REVOKED_REUSE,
    REVOKED_ROTATED,
    SECRET_BYTES,
    AuthenticationError,
    RefreshTokenReuse,
    sha256_hex,
)
from accounts.services.users import user_authenticate

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuedTokens:
    access: str
    access_expires_at: datetime
    refresh: str
    refresh_expires_at: datetime
    user: User


def _access_token_for(user: User) -> tuple[str, datetime]:
    token = AccessToken.for_user(user)
    expires_at = datetime.fromtimestamp(token["exp"], tz=UTC)
    return str(token), expires_at


def _refresh_lifetime() -> timedelta:
    return timedelta(days=settings.REFRESH_TOKEN_DAYS)


# The successor of a rotated refresh token has a secret derived from its parent's:
#
#     successor = base64url(HMAC-SHA256(key derived from SECRET_KEY, parent secret))
#
# so that a repeated refresh of the same token within the grace window can be answered
# with the *same* successor (refresh_token_rotate) while the database still holds hashes
# only. Why this and not a stored copy: an encrypted or short-lived copy of the successor
# would be one more secret at rest to protect and expire, whereas the derivation needs
# nothing stored. It is sound because the parent secret is 256 random bits (or itself
# such a derivation) that only its holder knows: the output of a keyed PRF over it is as
# unguessable as a fresh random secret, and neither a copy of the database (hashes only)
# nor the server key alone is enough to compute it — anyone able to present the parent
# could have rotated it anyway. Rotating SECRET_KEY only ends the grace of tokens rotated
# just before (their repeat then counts as reuse).
#
# The price of any grace window (identity providers pay it too): a stolen copy presented
# within it gets the successor instead of tripping the reuse alarm. Hence a short default
# (REFRESH_TOKEN_REUSE_GRACE_SECONDS=10), 0 to turn it off, and the alarm still rings
# for any copy presented later.
SUCCESSOR_KEY_SALT = "cigarspace.accounts.refresh-token-successor"


def _successor_secret(parent_secret: str) -> str:
    digest = salted_hmac(SUCCESSOR_KEY_SALT, parent_secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _refresh_token_insert(
    *,
    user: User,
    family_id: uuid.UUID,
    parent: RefreshToken | None,
    user_agent: str,
    secret: str | None = None,
) -> tuple[str, RefreshToken]:
    secret = secret or secrets.token_urlsafe(SECRET_BYTES)
    row = RefreshToken.objects.create(
        token_hash=sha256_hex(secret),
        user=user,
        family_id=family_id,
        parent=parent,
        expires_at=timezone.now() + _refresh_lifetime(),
        user_agent=user_agent[:512],
    )
    return secret, row


def _issue(
    *,
    user: User,
    family_id: uuid.UUID,
    parent: RefreshToken | None,
    user_agent: str,
    secret: str | None = None,
) -> IssuedTokens:
    secret, row = _refresh_token_insert(
        user=user, family_id=family_id, parent=parent, user_agent=user_agent, secret=secret
    )
    return _tokens_with_refresh(user=user, refresh_secret=secret, refresh_row=row)


def _tokens_with_refresh(*, user: User, refresh_secret: str, refresh_row: RefreshToken):
    access, access_expires_at = _access_token_for(user)
    return IssuedTokens(
        access=access,
        access_expires_at=access_expires_at,
        refresh=refresh_secret,
        refresh_expires_at=refresh_row.expires_at,
        user=user,
    )


@transaction.atomic
def auth_login(*, email: str, password: str, user_agent: str = "") -> IssuedTokens:
    """Check the credentials and open a new refresh family."""
    user = user_authenticate(email=email, password=password)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return _issue(user=user, family_id=uuid.uuid4(), parent=None, user_agent=user_agent)


def refresh_token_rotate(*, secret: str, user_agent: str = "") -> IssuedTokens:
    """Exchange a refresh token for a new access token and a new refresh token.

    The presented token is revoked and replaced by a child in the same family. Presenting
    an already revoked token again is reuse (a stolen copy, or a replay): the whole family
    is revoked and ``RefreshTokenReuse`` is raised — except within
    ``REFRESH_TOKEN_REUSE_GRACE_SECONDS`` of its rotation, while its successor is still
    live: a client racing itself (two tabs, a retry after a lost answer) then gets that
    same successor (and a fresh access token) instead of being logged out.

    Not wrapped in the caller's transaction on purpose: the revocation must be committed
    although the request then fails, so the work happens in a durable block of its own
    (an enclosing atomic block, e.g. ATOMIC_REQUESTS, is a programming error and raises)
    and the exception is raised only after that block has committed.
    """
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        raise AuthenticationError("The refresh token is invalid.")
    token_hash = sha256_hex(secret)
    with transaction.atomic(durable=True):
        # The row lock serialises concurrent refreshes of one token: the second waits,
        # then sees the token rotated by the first (and its successor, committed).
        row = (
            RefreshToken.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(token_hash=token_hash)
            .first()
        )
        if row is None:
            raise AuthenticationError("The refresh token is invalid.")
        now = timezone.now()
        repeated = _successor_within_grace(row=row, secret=secret, now=now)
        if repeated is not None:
            logger.info(
                "Refresh token %s of family %s presented again within the grace window: "
                "its successor %s is returned again.",
                row.pk,
                row.family_id,
                repeated.pk,
            )
            return _tokens_with_refresh(
                user=row.user, refresh_secret=_successor_secret(secret), refresh_row=repeated
            )
        if row.revoked_at is not None:
            # Rotated (a replayed copy) or revoked by a logout / password change: either
            # way every token of the family dies; the UPDATE is a no-op for dead families.
            revoked = _revoke_family(family_id=row.family_id, reason=REVOKED_REUSE, now=now)
            # A security event: a copy of a token was replayed (or a client raced itself).
            logger.warning(
                "Refresh token reuse: user %s, family %s (token %s, %s); revoked %d live "
                "token(s) of the family.",
                row.user_id,
                row.family_id,
                row.pk,
                row.revoked_reason,
                revoked,
            )
        elif row.expires_at <= now:
            raise AuthenticationError("The refresh token has expired.")
        elif not row.user.is_active:
            raise AuthenticationError("No active account matches this refresh token.")
        else:
            row.revoked_at = now
            row.revoked_reason = REVOKED_ROTATED
            row.save(update_fields=["revoked_at", "revoked_reason"])
            return _issue(
                user=row.user,
                family_id=row.family_id,
                parent=row,
                user_agent=user_agent,
                secret=_successor_secret(secret),
            )
    # Outside the block: the family revocation above is committed by now.
    raise RefreshTokenReuse("The refresh token has been revoked; its session is closed.")


def _successor_within_grace(
    *, row: RefreshToken, secret: str, now: datetime
) -> RefreshToken | None:
    """The live successor of a token rotated less than the grace window ago, or None
    (then a revoked token is reuse). Only a rotation opens the window: a token revoked by
    a logout, a password change or a reuse has no successor to hand out."""
    grace = timedelta(seconds=settings.REFRESH_TOKEN_REUSE_GRACE_SECONDS)
    if (
        not grace
        or row.revoked_at is None
        or row.revoked_reason != REVOKED_ROTATED
        or now - row.revoked_at > grace
        or not row.user.is_active
    ):
        return None
    return RefreshToken.objects.filter(
        parent=row,
        token_hash=sha256_hex(_successor_secret(secret)),
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).first()


def _revoke_family(*, family_id: uuid.UUID, reason: str, now: datetime) -> int:
    return RefreshToken.objects.filter(family_id=family_id, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason
    )


@transaction.atomic
def refresh_token_revoke_family(*, secret: str, reason: str = REVOKED_LOGOUT) -> int:
    """Revoke the family of a refresh token (logout). Unknown tokens revoke nothing."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return 0
    row = RefreshToken.objects.filter(token_hash=sha256_hex(secret)).only("family_id").first()
    if row is None:
        return 0
    return _revoke_family(family_id=row.family_id, reason=reason, now=timezone.now())


@transaction.atomic
def refresh_token_families_revoke(*, family_ids: set[uuid.UUID], reason: str) -> int:
    return RefreshToken.objects.filter(family_id__in=family_ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


@transaction.atomic
def refresh_tokens_revoke_for_user(*, user_id: int, reason: str) -> int:
    """Revoke every live refresh token of a user (password change, deactivation)."""
    return RefreshToken.objects.filter(user_id=user_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


@transaction.atomic
def refresh_tokens_prune(*, now: datetime | None = None) -> int:
    """Delete expired refresh tokens.

    Revoked but unexpired rows are kept: they are what detects the reuse of a stolen
    token. Every token of a family expires after its parent, so pruning never leaves a
    live token whose reuse would go unnoticed.
    """
    deleted, _ = RefreshToken.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
