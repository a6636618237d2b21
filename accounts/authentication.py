"""DRF authentication for machine clients: ``Authorization: Api-Key <prefix>.<secret>``.

``request.user`` is the key's owner and ``request.auth`` the ``ApiKey`` row, whose
``api_key_scope`` attribute accounts.permissions reads to cap what the key may do.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts.models import ApiKey, User
from accounts.services import AuthenticationError, api_key_authenticate

KEYWORD = "Api-Key"


class ApiKeyAuthentication(BaseAuthentication):
    keyword = KEYWORD

    def authenticate(self, request) -> tuple[User, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None  # not ours: let the other authentication classes try
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                f"Send the key as 'Authorization: {self.keyword} <key>'.",
                code="bad_authorization_header",
            )
        try:
            raw_key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Malformed API key.") from None
        try:
            key = api_key_authenticate(raw_key=raw_key)
        except AuthenticationError as exc:
            raise exceptions.AuthenticationFailed(str(exc), code="invalid_api_key") from None
        return key.owner, key

    def authenticate_header(self, request) -> str:
        return self.keyword
