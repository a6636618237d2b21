"""Fixtures shared by the whole suite. Tests run on real PostgreSQL (embedded or DATABASE_URL)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def blob_root(tmp_path, settings) -> Path:
    """Every test stores blobs in its own directory, never in the real data directory.

    pytest-django resets storages when STORAGES changes, so the "blobs" storage follows.
    """
    root = tmp_path / "blobs"
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture(autouse=True)
def downloads_dir(tmp_path, settings) -> Path:
    """Partial publication downloads go to the test's own directory too."""
    settings.CUSTOMS_DOWNLOAD_DIR = tmp_path / "downloads"
    return settings.CUSTOMS_DOWNLOAD_DIR


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
