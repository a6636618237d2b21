"""Fixtures of the accounts tests.

Throttle counts live in a model table (accounts.RateLimit): rolled back after every test,
and flushed after transactional ones, so no test inherits another's counts.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.services import api_key_create
from tests import factories as f

PASSWORD = "a-long-test-password"


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
