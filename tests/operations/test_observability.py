"""Structured logs: JSON lines with the request id, X-Request-ID in and out."""

from __future__ import annotations

import json
import logging
import uuid

import pytest

from cigarspace.middleware import HEADER, request_id_from
from cigarspace.observability import JsonFormatter, RequestIdFilter, request_id_var

pytestmark = pytest.mark.django_db


class ListHandler(logging.Handler):
    """Formats every record with the production formatter and filter, like the console does."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict] = []
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def json_lines():
    handler = ListHandler()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_formatter_writes_one_json_object_with_extras():
    record = logging.LogRecord(
        "customs.services", logging.WARNING, __file__, 1, "ingested %s", ("pub 3",), None
    )
    record.publication = 3
    record.counts = {"new": 2, "withdrawn": 1}
    record.seen = {"a"}

    line = JsonFormatter().format(record)

    assert "\n" not in line
    payload = json.loads(line)
    assert payload["level"] == "WARNING"
    assert payload["logger"] == "customs.services"
    assert payload["message"] == "ingested pub 3"
    assert payload["publication"] == 3
    assert payload["counts"] == {"new": 2, "withdrawn": 1}
    assert payload["seen"] == ["a"]
    assert payload["time"].endswith("+00:00")
    assert "request_id" not in payload


def test_tracebacks_stay_inside_the_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    payload = json.loads(JsonFormatter().format(record))

    assert "ValueError: boom" in payload["exception"]


def test_request_id_comes_back_and_tags_every_log_line_of_the_request(client, json_lines):
    incoming = "lb-" + uuid.uuid4().hex

    response = client.get("/api/v1/brands/", HTTP_X_REQUEST_ID=incoming)

    assert response[HEADER] == incoming
    access = [line for line in json_lines if line["logger"] == "cigarspace.request"]
    assert access[-1]["request_id"] == incoming
    assert access[-1]["status"] == 200
    assert access[-1]["path"] == "/api/v1/brands/"
    assert access[-1]["method"] == "GET"
    # Outside the request the context is clean again.
    assert request_id_var.get() is None


def test_a_request_without_an_id_gets_a_fresh_one_each_time(client):
    first = client.get("/health")[HEADER]
    second = client.get("/health")[HEADER]

    assert len(first) == 32
    assert first != second


def test_errors_carry_the_request_id_too(client, json_lines):
    response = client.get("/api/v1/no-such-route/", HTTP_X_REQUEST_ID="req-12345678")

    assert response.status_code == 404
    assert response[HEADER] == "req-12345678"
    warnings = [line for line in json_lines if line["logger"] == "django.request"]
    assert warnings
    assert {line["request_id"] for line in warnings} == {"req-12345678"}


@pytest.mark.parametrize(
    "forged",
    ["short", "x" * 129, 'abc"}\n{"level":"CRITICAL', "id with spaces 123", ""],
)
def test_unsafe_incoming_ids_are_replaced(forged):
    replaced = request_id_from(forged)

    assert replaced != forged
    assert len(replaced) == 32


def test_application_logs_inside_a_request_share_its_id(json_lines):
    token = request_id_var.set("req-abcdefgh")
    try:
        logging.getLogger("matching.services").info("run finished", extra={"scored": 12})
    finally:
        request_id_var.reset(token)

    assert json_lines[-1]["request_id"] == "req-abcdefgh"
    assert json_lines[-1]["scored"] == 12
