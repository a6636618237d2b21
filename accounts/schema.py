"""OpenAPI security schemes of accounts' authentication classes: a JWT bearer and an
API key. Imported by AccountsConfig.ready()."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class BearerJWTAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerJWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema) -> dict:
        scheme = build_bearer_security_scheme_object(
            header_name="HTTP_AUTHORIZATION",
            token_prefix="Bearer",  # noqa: S106 (the scheme's name, not a secret)
            bearer_format="JWT",
        )
        scheme["description"] = (
            "An access token from POST /api/v1/auth/token or /api/v1/auth/refresh "
            "(HS256, valid for minutes)."
        )
        return scheme


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A machine client's key, sent as `Api-Key <prefix>.<secret>`. "
            "Keys have a scope: `read`, or `operator` (may also write).",
        }
