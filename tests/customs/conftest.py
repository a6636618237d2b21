"""Customs test fixtures: files in the real formats served by a real local HTTP server."""

from __future__ import annotations

from pathlib import Path

import pytest

from cigarspace.http import HttpClient
from customs.models import CustomsSource
from tests.support.http_server import LocalHttpServer

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EDITION_1 = FIXTURES / "maquette_2026-09.ods"
EDITION_2 = FIXTURES / "maquette_2026-11.ods"


@pytest.fixture(autouse=True)
def isolated_storage(tmp_path, settings) -> Path:
    """Each test gets its own blob store and download directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "blobs")},
        },
    }
    # Not CIGARSPACE_DATA_DIR: the embedded database lives there.
    settings.CUSTOMS_DOWNLOAD_DIR = tmp_path / "downloads"
    return tmp_path


@pytest.fixture
def server():
    with LocalHttpServer() as running:
        yield running


@pytest.fixture
def http_client() -> HttpClient:
    """The project's real HTTP client, with a backoff too small to wait for."""
    return HttpClient(max_retries=3, backoff_base=0.001, backoff_max=0.01, sleep=lambda _s: None)


@pytest.fixture
def douane(db) -> CustomsSource:
    return CustomsSource.objects.get(slug="fr-douane-opendata")


@pytest.fixture
def ingested_pair(server, http_client, douane):
    """Both fixture editions, served and ingested in order (September, then November)."""
    from customs.services import publication_advance, publication_discover_one
    from tests.support.http_server import Reply

    publications = []
    for path, file in (("/sept.ods", EDITION_1), ("/nov.ods", EDITION_2)):
        server.route(path, Reply(200, file.read_bytes(), {"Content-Type": "application/zip"}))
        publication = publication_discover_one(source=douane, external_id=server.url(path))
        publications.append(publication_advance(publication=publication, client=http_client))
    return publications
