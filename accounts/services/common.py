"""What every accounts service shares: revocation reasons, secret sizes and bounds, the
authentication errors, and the one hash of secrets."""

from __future__ import annotations

import hashlib
from datetime import timedelta

# Reasons recorded in refresh_token.revoked_reason (max 32 characters).
REVOKED_ROTATED = "rotated"
REVOKED_REUSE = "reuse-detected"
REVOKED_LOGOUT = "logout"
REVOKED_PASSWORD_CHANGED = "password-changed"  # noqa: S105 (a reason, not a secret)
REVOKED_DEACTIVATED = "user-deactivated"
REVOKED_ADMIN = "admin"

# Refresh secrets and API key secrets: 32 random bytes, url-safe base64 (43 characters).
SECRET_BYTES = 32
API_KEY_PREFIX_LENGTH = 12  # hex characters after "cs_"
# Bounds on what the API accepts, so junk never reaches the hasher or the database.
MAX_SECRET_LENGTH = 128
MAX_PASSWORD_LENGTH = 1024
# last_used_at is written at most this often per key: not one UPDATE per request.
API_KEY_LAST_USED_RESOLUTION = timedelta(minutes=1)


class AuthenticationError(Exception):
    """Credentials were refused; the message is safe to show to the client."""


class RefreshTokenReuse(AuthenticationError):
    """A revoked refresh token was presented again: its family has been revoked."""


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
