"""DRF authentication classes (settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]).

- ``BearerJWTAuthentication``: ``Authorization: Bearer <access JWT>`` (simplejwt: HS256
  only, so ``alg: none`` and other algorithms are refused; expiry, deactivated users and
  tokens older than the last password change are refused too);
- ``ApiKeyAuthentication``: machine clients, ``Authorization: Api-Key <prefix>.<secret>``.
  ``request.user`` is the key's owner and ``request.auth`` the ``ApiKey`` row, whose
  ``api_key_scope`` attribute accounts.permissions reads to cap what the key may do.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework_simplejwt import exceptions as jwt_exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.models import ApiKey, User
from accounts.services import AuthenticationError, api_key_authenticate

KEYWORD = "Api-Key"


class BearerJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication with its errors in the project's shape.

    simplejwt raises errors whose detail is a dict (detail, code, per-class messages);
    they are re-raised as plain ``AuthenticationFailed`` so the JSON error carries one
    readable message and the specific code (``token_not_valid``, ``user_inactive``…).
    """

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except jwt_exceptions.AuthenticationFailed as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {"detail": exc.detail}
            message = str(detail.get("detail") or "The access token was refused.")
            code = str(detail.get("code") or exc.default_code)
            raise exceptions.AuthenticationFailed(message, code=code) from None


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
