"""Fixtures of the accounts tests.

Throttle counters live in the cache: it is cleared around every test so that no test
inherits another's counts (the cache table survives transaction=True tests' flushes).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services import api_key_create
from tests import factories as f

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _clear_throttle_counters(request):
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        yield
        return
    transactional = bool(marker.kwargs.get("transaction"))
    # The cache is a database table: open the test's database access first.
    request.getfixturevalue("transactional_db" if transactional else "db")
    cache.clear()
    yield
    if transactional:
        # Committed rows outlive the test (the flush only empties model tables); other
        # tests' cache writes are rolled back with their transaction.
        cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user():
    return f.UserFactory(email="reader@example.com")


@pytest.fixture
def operator():
    return f.OperatorFactory(email="operator@example.com")


@pytest.fixture
def login(api_client):
    """POST auth/token and return the JSON body (asserting success)."""

    def _login(email: str, password: str = PASSWORD, **headers) -> dict:
        response = api_client.post(
            "/api/v1/auth/token", {"email": email, "password": password}, **headers
        )
        assert response.status_code == 200, response.content
        return response.json()

    return _login


@pytest.fixture
def read_key(user):
    return api_key_create(owner=user, name="reader", scope="read")


@pytest.fixture
def operator_key(operator):
    return api_key_create(owner=operator, name="robot", scope="operator")
