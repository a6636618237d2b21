"""Writes of the accounts app: users, login, refresh-token rotation, API keys.

Secrets (refresh tokens, API keys) are 256-bit random strings returned to the caller once;
only their sha256 is stored. sha256 (not a slow hash) is right for them: they carry full
entropy, so there is nothing to brute-force, and lookups stay one indexed equality.

One module per concern (``users``, ``tokens``, ``api_keys``; ``common`` for what they
share); callers import from ``accounts.services``.
"""

from accounts.services.api_keys import (
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
    api_key_touch,
)
from accounts.services.common import (
    API_KEY_LAST_USED_RESOLUTION,
    API_KEY_PREFIX_LENGTH,
    MAX_PASSWORD_LENGTH,
    MAX_SECRET_LENGTH,
    REVOKED_ADMIN,
    REVOKED_DEACTIVATED,
    REVOKED_LOGOUT,
    REVOKED_PASSWORD_CHANGED,
    REVOKED_REUSE,
    REVOKED_ROTATED,
    SECRET_BYTES,
    AuthenticationError,
    RefreshTokenReuse,
    sha256_hex,
)
from accounts.services.tokens import (
    IssuedTokens,
    auth_login,
    refresh_token_families_revoke,
    refresh_token_revoke_family,
    refresh_token_rotate,
    refresh_tokens_prune,
    refresh_tokens_revoke_for_user,
)
from accounts.services.users import (
    user_authenticate,
    user_create,
    user_deactivate,
    user_set_password,
)

__all__ = [
    "API_KEY_LAST_USED_RESOLUTION",
    "API_KEY_PREFIX_LENGTH",
    "MAX_PASSWORD_LENGTH",
    "MAX_SECRET_LENGTH",
    "REVOKED_ADMIN",
    "REVOKED_DEACTIVATED",
    "REVOKED_LOGOUT",
    "REVOKED_PASSWORD_CHANGED",
    "REVOKED_REUSE",
    "REVOKED_ROTATED",
    "SECRET_BYTES",
    "AuthenticationError",
    "IssuedTokens",
    "RefreshTokenReuse",
    "api_key_authenticate",
    "api_key_create",
    "api_key_revoke",
    "api_key_touch",
    "auth_login",
    "refresh_token_families_revoke",
    "refresh_token_revoke_family",
    "refresh_token_rotate",
    "refresh_tokens_prune",
    "refresh_tokens_revoke_for_user",
    "sha256_hex",
    "user_authenticate",
    "user_create",
    "user_deactivate",
    "user_set_password",
]
