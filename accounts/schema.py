"""OpenAPI description of the API-key security scheme (the JWT bearer scheme comes with
drf-spectacular's simplejwt contrib extension). Imported by AccountsConfig.ready()."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


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
