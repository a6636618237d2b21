"""The management commands: progress, summaries, clear errors."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from customs.models import CustomsPublication, CustomsRun, PublicationStatus
from customs.services import publication_discover_one
from tests.customs.conftest import EDITION_1, EDITION_2, FIXTURES
from tests.support.http_server import Reply

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def index(server, douane):
    server.route(
        "/index",
        Reply(200, (FIXTURES / "douane_index.html").read_bytes(), {"Content-Type": "text/html"}),
    )
    douane.index_url = server.url("/index")
    douane.save()
    return server


def test_discover_one_source(index):
    output = run("discover", "--source", "fr-douane-opendata")
    assert "fr-douane-opendata: ok — 3 document(s) listed, 3 new." in output
    assert "3 new publication(s)" in output
    assert CustomsRun.objects.get().kind == "discover"


def test_discover_all_reports_unconfigured_sources(index, settings):
    settings.LEGIFRANCE_CLIENT_ID = ""
    settings.DATABASES  # noqa: B018  (settings fixture in use)
    from customs.models import CustomsSource

    # Only sources this test serves locally (the Spanish ones would reach their real hosts).
    CustomsSource.objects.filter(slug__in=["fr-legifrance-dila", "es-cmt", "es-boe"]).update(
        enabled=False
    )
    output = run("discover")
    assert "fr-legifrance-jorf: NOT CONFIGURED" in output
    assert "fr-douane-opendata: ok" in output


def test_unknown_source_is_a_clear_error():
    with pytest.raises(CommandError, match=r"Unknown source 'xx'.*fr-douane-opendata"):
        run("discover", "--source", "xx")


def test_ingest_runs_every_pending_stage_and_summarises(server, douane):
    for path, file in (("/a.ods", EDITION_1), ("/b.ods", EDITION_2)):
        server.route(path, Reply(200, file.read_bytes(), {}))
        publication_discover_one(source=douane, external_id=server.url(path))
    server.route("/c.ods", Reply(200, b"<html>maintenance</html>", {}))
    publication_discover_one(source=douane, external_id=server.url("/c.ods"))

    with pytest.raises(CommandError, match="retry"):
        run("ingest", "--source", "fr-douane-opendata")
    statuses = sorted(CustomsPublication.objects.values_list("status", flat=True))
    assert statuses == ["failed", "ingested", "ingested"]
    assert CustomsRun.objects.get(kind="ingest").summary == {
        "ingested": 2,
        "failed": 1,
        "duplicates": 0,
        "other": 0,
    }


def test_ingest_one_publication_and_retry(server, douane):
    server.route("/later.ods", Reply(503, b"busy"))
    publication = publication_discover_one(source=douane, external_id=server.url("/later.ods"))
    from customs.services.lifecycle import publication_fail

    publication_fail(publication=publication, stage="fetch", error="HTTP 503")
    server.route("/later.ods", Reply(200, EDITION_2.read_bytes(), {}))
    output = run("retry", str(publication.pk))
    assert "Retrying publication" in output
    assert "ingested — 13 entries" in output
    with pytest.raises(CommandError, match="not failed"):
        run("retry", str(publication.pk))
    with pytest.raises(CommandError, match="No publication"):
        run("retry", "424242")
    output = run("ingest", "--publication", str(publication.pk))
    assert "ingested" in output


def test_ingest_file_and_the_status_table(db):
    output = run(
        "ingest_file",
        "--source",
        "ch-ofdf",
        str(FIXTURES / "ofdf_prices.csv"),
        "--effective-date",
        "2026-10-01",
        "--note",
        "relevé",
    )
    assert "ingested — 3 entries — effective 2026-10-01" in output
    assert "Imported 1 of 1 file(s)." in output
    table = run("publications")
    assert "ch-ofdf" in table
    assert "ingested" in table
    assert "Total: 1 ingested." in table


def test_ingest_file_rejects_bad_input_clearly(tmp_path, db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("ingest_file", "--source", "ch-ofdf", "x.csv", "--effective-date", "1/10/2026")
    missing = tmp_path / "missing.csv"
    with pytest.raises(CommandError, match="could not be imported"):
        run("ingest_file", "--source", "ch-ofdf", str(missing))
    assert CustomsRun.objects.get().outcome == "failed"
    assert CustomsPublication.objects.filter(status=PublicationStatus.INGESTED).count() == 0
