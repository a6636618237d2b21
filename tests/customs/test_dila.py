"""fr-legifrance-dila: listing, resumable download, and streaming extraction."""

from __future__ import annotations

import datetime as dt
import tarfile

import pytest

from customs.adapters.dila import DilaArchive, DilaListing
from customs.models import CustomsPublication, CustomsSource, PublicationStatus
from customs.services import publication_advance, publication_discover_one, source_discover
from tests.customs.conftest import FIXTURES
from tests.customs.fixtures.build_fixtures import write_dila_archive
from tests.support.http_server import Reply

pytestmark = pytest.mark.django_db

ARCHIVE = FIXTURES / "dila_jorf.tar.gz"
LISTING = """<html><body><h1>Index of /OPENDATA/JORF</h1><pre>
<a href="../">../</a>
<a href="Freemium_jorf_global_20250713-140000.tar.gz">Freemium_jorf_global</a>
<a href="JORF_20261002-213012.tar.gz">JORF_20261002-213012.tar.gz</a>
<a href="JORF_20261003-213512.tar.gz">JORF_20261003-213512.tar.gz</a>
<a href="README.txt">README.txt</a>
</pre></body></html>"""


@pytest.fixture
def dila(db) -> CustomsSource:
    return CustomsSource.objects.get(slug="fr-legifrance-dila")


def test_listing_registers_increments_not_the_global_dump():
    documents = DilaListing.documents_from_listing(
        LISTING, base_url="https://echanges.dila.gouv.fr/OPENDATA/JORF/"
    )
    assert [d.title for d in documents] == [
        "JORF_20261002-213012.tar.gz",
        "JORF_20261003-213512.tar.gz",
    ]
    assert (
        documents[1].url
        == "https://echanges.dila.gouv.fr/OPENDATA/JORF/JORF_20261003-213512.tar.gz"
    )


def test_extraction_streams_the_archive(monkeypatch):
    modes = []
    real_open = tarfile.open

    def spy(*args, **kwargs):
        modes.append(kwargs.get("mode"))
        return real_open(*args, **kwargs)

    monkeypatch.setattr(tarfile, "open", spy)
    extraction = DilaArchive(source=None).extract(path=ARCHIVE)
    # Stream mode: members are read in order, the archive is never seeked nor loaded.
    assert modes == ["r|gz"]
    assert extraction.metadata["xml_members"] == 4
    (text,) = extraction.metadata["texts"]
    assert text["jorftext_id"] == "JORFTEXT000052311441"
    assert text["nor"] == "ECOD2626000A"
    assert text["eli"].startswith("https://www.legifrance.gouv.fr/eli/arrete/2026/9/29/")
    assert text["jo_number"] == "0228"
    assert (extraction.arrete_date, extraction.effective_date) == (
        dt.date(2026, 9, 29),
        dt.date(2026, 11, 1),
    )
    # The unrelated arrêté carries the same table but is not selected.
    labels = [e.raw_label for e in extraction.entries]
    assert labels == ["Cohiba Robustos, en 25 cigares", "Trinidad Reyes, en 12 cigares"]


def test_streaming_reads_only_selected_members(tmp_path, monkeypatch):
    big = write_dila_archive(tmp_path / "big.tar.gz", padding_texts=40, padding_bytes=20_000)
    parsed = []
    import customs.adapters.dila as dila_module

    real = dila_module.parse_xml

    def counting(data):
        parsed.append(len(data))
        return real(data)

    monkeypatch.setattr(dila_module, "parse_xml", counting)
    extraction = DilaArchive(source=None).extract(path=big)
    assert extraction.metadata["xml_members"] == 44
    # The 40 unrelated articles were skipped before any XML parsing.
    assert len(parsed) == 3
    assert len(extraction.entries) == 2


def test_a_truncated_archive_is_rejected(tmp_path):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(ARCHIVE.read_bytes()[:700])
    with pytest.raises(Exception, match="damaged or truncated"):
        DilaArchive(source=None).extract(path=cut)


def test_download_resumes_after_a_dropped_connection(dila, server, http_client):
    body = ARCHIVE.read_bytes()
    calls = []

    def flaky(request):
        calls.append(request.headers.get("Range"))
        if len(calls) == 1:
            return Reply(200, body, {"Content-Type": "application/gzip"}, drop_after=600)
        start = int(request.headers["Range"].split("=")[1].split("-")[0])
        return Reply(
            206,
            body[start:],
            {
                "Content-Type": "application/gzip",
                "Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}",
            },
        )

    server.route("/JORF_20261003-213512.tar.gz", flaky)
    publication = publication_discover_one(
        source=dila, external_id=server.url("/JORF_20261003-213512.tar.gz")
    )
    publication = publication_advance(publication=publication, client=http_client)
    assert publication.status == PublicationStatus.INGESTED
    assert calls == [None, "bytes=600-"]
    assert publication.raw_blob.size == len(body)
    assert publication.metadata["nor"] == "ECOD2626000A"
    assert publication.entry_count == 2


def test_discovery_through_the_listing(dila, server, http_client):
    server.route("/OPENDATA/JORF/", Reply(200, LISTING.encode(), {"Content-Type": "text/html"}))
    dila.index_url = server.url("/OPENDATA/JORF/")
    dila.save()
    outcome = source_discover(source=dila, client=http_client)
    assert len(outcome.created) == 2
    assert CustomsPublication.objects.filter(source=dila).count() == 2
