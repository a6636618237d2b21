"""The OpenAPI schema documents the auth endpoints and both security schemes."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_both_security_schemes_are_documented(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": schemes["jwtAuth"]["description"],
    }
    assert schemes["ApiKeyAuth"]["type"] == "apiKey"
    assert schemes["ApiKeyAuth"]["in"] == "header"
    assert schemes["ApiKeyAuth"]["name"] == "Authorization"


@pytest.mark.parametrize(
    ("path", "method", "response_schema"),
    [
        ("/api/v1/auth/token", "post", "TokenPairOutput"),
        ("/api/v1/auth/refresh", "post", "TokenPairOutput"),
        ("/api/v1/auth/me", "get", "MeOutput"),
    ],
)
def test_auth_endpoints_are_documented(schema, path, method, response_schema):
    operation = schema["paths"][path][method]
    assert "auth" in operation["tags"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith(response_schema)


def test_login_refresh_and_logout_need_no_credentials_but_me_does(schema):
    # No security requirement at all: there is no global one to inherit either.
    assert "security" not in schema
    for path in ("/api/v1/auth/token", "/api/v1/auth/refresh", "/api/v1/auth/logout"):
        assert "security" not in schema["paths"][path]["post"]
    security = schema["paths"]["/api/v1/auth/me"]["get"]["security"]
    assert {"jwtAuth": []} in security
    assert {"ApiKeyAuth": []} in security
    assert {} not in security


def test_logout_answers_204(schema):
    assert "204" in schema["paths"]["/api/v1/auth/logout"]["post"]["responses"]
