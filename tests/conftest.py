"""Fixtures shared by the whole suite. Tests run on real PostgreSQL (embedded or DATABASE_URL)."""

from __future__ import annotations

import pytest


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(
        email="root@example.com", password="a-long-test-password"
    )


@pytest.fixture
def admin_client_logged_in(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def http_server():
    """A real HTTP server on 127.0.0.1 with scripted routes (tests/support/http_server.py)."""
    from tests.support.http_server import LocalHttpServer

    with LocalHttpServer() as server:
        yield server
