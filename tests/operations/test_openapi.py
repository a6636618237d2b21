"""The OpenAPI schema says what the API answers: paginated lists as pages, and the error
responses (cigarspace.openapi), which real error responses validate against."""

from __future__ import annotations

import jsonschema_rs
import pytest
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import CustomsSourceFactory, UserFactory

pytestmark = pytest.mark.django_db

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()  # throttle counters
    yield
    cache.clear()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def documented_error(schema: dict, path: str, method: str, status: int) -> dict:
    """The body schema documented for ``status`` of the operation (the Error component)."""
    responses = schema["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} does not document {status}"
    body = responses[str(status)]["content"]["application/json"]["schema"]
    assert body == {"$ref": ERROR_REF}
    return schema["components"]["schemas"]["Error"]


def assert_valid(body: dict, error_schema: dict) -> None:
    errors = [str(e) for e in jsonschema_rs.validator_for(error_schema).iter_errors(body)]
    assert not errors, (body, errors)


def test_paginated_lists_document_a_page_of_items(schema):
    lists = [
        (path, operation)
        for path, method, operation in operations(schema)
        if method == "get" and operation["operationId"].endswith("_list")
    ]
    assert len(lists) >= 12
    for path, operation in lists:
        body = operation["responses"]["200"]["content"]["application/json"]["schema"]
        page = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
        assert {"next", "previous", "results"} <= set(page["properties"]), path
        assert page["properties"]["results"]["type"] == "array", path


def test_the_error_component_has_the_exception_handler_shape(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    inner = error["properties"]["error"]
    assert inner["required"] == ["code", "message", "details"]
    assert inner["properties"]["code"]["type"] == "string"
    assert inner["properties"]["message"]["type"] == "string"
    assert inner["properties"]["details"]["nullable"] is True
    # A body in DRF's default shape is not a documented error.
    validator = jsonschema_rs.validator_for(error)
    assert not validator.is_valid({"detail": "Not found."})
    assert not validator.is_valid({"error": {"code": "not_found", "message": "Not found."}})


def test_every_error_response_is_documented_with_the_error_body(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        assert "429" in responses, f"{method} {path}: every view is throttled"
        assert "Retry-After" in responses["429"]["headers"]
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                body = response["content"]["application/json"]["schema"]
                assert body == {"$ref": ERROR_REF}, (method, path, status)
                assert response["description"], (method, path, status)


@pytest.mark.parametrize(
    ("path", "method", "documented", "not_documented"),
    [
        # A filtered public list: bad filters, bad cursor, bad credentials; no operator check.
        ("/api/v1/cigars/", "get", {400, 401, 404, 429}, {403}),
        # A write reserved to operators.
        ("/api/v1/cigars/", "post", {400, 401, 403, 429}, {404}),
        ("/api/v1/cigars/{id}/", "get", {401, 404, 429}, {400, 403}),
        ("/api/v1/cigars/{id}/", "delete", {401, 403, 404, 429}, {400}),
        # Reading needs an account, but any account.
        ("/api/v1/customs/sources/", "get", {401, 404, 429}, {400, 403}),
        ("/api/v1/matches/", "get", {400, 401, 404, 429}, {403}),
        # Optimistic concurrency, documented by the view itself, keeps its own description.
        ("/api/v1/matches/{id}/", "patch", {400, 401, 403, 404, 409, 412, 429}, set()),
        # Credentials in the body: no header authentication, no operator check.
        ("/api/v1/auth/token", "post", {400, 401, 429}, {403, 404}),
        ("/api/v1/auth/me", "get", {401, 429}, {400, 403, 404}),
    ],
)
def test_each_operation_documents_the_errors_it_can_produce(
    schema, path, method, documented, not_documented
):
    statuses = {int(s) for s in schema["paths"][path][method]["responses"] if s[0] in "45"}
    assert documented <= statuses
    assert not statuses & not_documented


def test_view_descriptions_are_kept(schema):
    responses = schema["paths"]["/api/v1/matches/{id}/"]["patch"]["responses"]
    assert responses["412"]["description"] == "If-Match names an older version."
    assert "operators" in responses["403"]["description"]


def test_real_error_responses_validate_against_the_documented_schema(schema):
    anonymous, user = APIClient(), APIClient()
    user.force_authenticate(UserFactory())
    CustomsSourceFactory()
    cases = [
        (anonymous.get("/api/v1/cigars/?strength=volcanic"), "/api/v1/cigars/", "get", 400),
        (anonymous.get("/api/v1/matches/"), "/api/v1/matches/", "get", 401),
        (
            anonymous.get("/api/v1/brands/", HTTP_AUTHORIZATION="Bearer not-a-token"),
            "/api/v1/brands/",
            "get",
            401,
        ),
        (user.post("/api/v1/brands/", {"name": "X"}), "/api/v1/brands/", "post", 403),
        (anonymous.get("/api/v1/cigars/999999999/"), "/api/v1/cigars/{id}/", "get", 404),
        (user.get("/api/v1/customs/sources/?page=99"), "/api/v1/customs/sources/", "get", 404),
    ]
    for response, path, method, status in cases:
        assert response.status_code == status, (path, response.content)
        assert_valid(response.json(), documented_error(schema, path, method, status))
    # A 400 carries the field errors in details.
    invalid = cases[0][0].json()["error"]
    assert invalid["code"] == "invalid"
    assert "strength" in invalid["details"]


def test_a_real_429_validates_against_the_documented_schema(schema, monkeypatch):
    # DRF copies the rates onto the class at import time, so patch them there.
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "anon": "1/day"}
    )
    client = APIClient()
    assert client.get("/api/v1/brands/").status_code == 200
    response = client.get("/api/v1/brands/")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "throttled"
    assert_valid(response.json(), documented_error(schema, "/api/v1/brands/", "get", 429))
