"""The publication lifecycle against a real local HTTP server: success, every failure, retry."""

from __future__ import annotations

import blake3
import pytest

from customs.models import (
    ChangeKind,
    CustomsFetch,
    CustomsPriceEntry,
    CustomsPublication,
    PublicationStatus,
)
from customs.services import (
    StageError,
    lifecycle,
    publication_advance,
    publication_discover_one,
    publication_retry,
    publications_ingest_pending,
    source_discover,
)
from customs.signals import publication_ingested
from media.selectors import blob_open
from tests.customs.conftest import EDITION_1, EDITION_2, FIXTURES
from tests.support.http_server import Reply

pytestmark = pytest.mark.django_db

ODS_TYPE = {"Content-Type": "application/vnd.oasis.opendocument.spreadsheet"}


def serve_ods(server, path: str, file=EDITION_2) -> str:
    server.route(path, Reply(200, file.read_bytes(), ODS_TYPE))
    return server.url(path)


def discover(douane, url: str) -> CustomsPublication:
    return publication_discover_one(source=douane, external_id=url)


def test_discovery_scrapes_the_index_and_is_idempotent(server, http_client, douane):
    html = (FIXTURES / "douane_index.html").read_bytes()

    def index(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Reply(304, b"", {"ETag": '"v1"'})
        return Reply(200, html, {"Content-Type": "text/html; charset=utf-8", "ETag": '"v1"'})

    server.route("/opendata/tabacs", index)
    douane.index_url = server.url("/opendata/tabacs")
    douane.save()

    first = source_discover(source=douane, client=http_client)
    assert first.configured
    assert (first.found, len(first.created)) == (3, 3)
    publication = CustomsPublication.objects.get(pk=first.created[0])
    assert publication.status == PublicationStatus.DISCOVERED
    assert publication.url.startswith(server.base_url)
    assert publication.metadata["pdf_twin"].endswith(".pdf")
    assert publication.discovered_at is not None

    again = source_discover(source=douane, client=http_client)
    assert again.created == []
    assert CustomsPublication.objects.filter(source=douane).count() == 3
    # The second fetch was conditional and recorded as such.
    last = CustomsFetch.objects.filter(purpose="index").order_by("-fetched_at", "-id").first()
    assert last.not_modified
    assert last.http_status == 304
    assert server.requests[-1].headers.get("If-None-Match") == '"v1"'


def test_full_lifecycle_keeps_the_bytes_and_the_provenance(server, http_client, douane):
    publication = discover(douane, serve_ods(server, "/files/Maquette%20JORF.ods"))
    publication = publication_advance(publication=publication, client=http_client)

    assert publication.status == PublicationStatus.INGESTED
    assert publication.title == "Arrêté du 29 septembre 2026, applicable au 1er novembre 2026"
    assert str(publication.effective_date) == "2026-11-01"
    assert str(publication.arrete_date) == "2026-09-29"
    assert publication.entry_count == 13 == publication.entries.count()
    assert publication.content_hash == blake3.blake3(EDITION_2.read_bytes()).hexdigest()
    with blob_open(publication.raw_blob) as stored:
        assert stored.read() == EDITION_2.read_bytes()
    assert all((publication.fetched_at, publication.parsed_at, publication.ingested_at))
    fetch = CustomsFetch.objects.get(publication=publication, purpose="document")
    assert (fetch.http_status, fetch.size, fetch.digest) == (
        200,
        EDITION_2.stat().st_size,
        publication.content_hash,
    )
    assert (fetch.adapter, fetch.adapter_version) == ("douane_ods", "1.0")
    assert set(publication.entries.values_list("currency_code", flat=True)) == {"EUR"}


def test_only_cigar_rows_are_ingested(server, http_client, douane):
    publication = discover(douane, serve_ods(server, "/e1.ods", EDITION_1))
    publication_advance(publication=publication, client=http_client)
    entries = CustomsPriceEntry.objects.filter(publication=publication)
    assert entries.count() == 26
    assert not entries.filter(raw_label__icontains="marlboro").exists()
    assert not entries.filter(raw_label__icontains="camel").exists()
    assert set(entries.values_list("category", flat=True)) == {"Cigares et cigarillos"}


def test_same_bytes_under_another_url_are_not_ingested_twice(server, http_client, douane):
    original = discover(douane, serve_ods(server, "/files/Maquette%20JORF%20Nov.ods"))
    copy = discover(douane, serve_ods(server, "/files/Maquette%20JORF%20Nov_0.ods"))
    counts = publications_ingest_pending(source=douane, client=http_client)

    original.refresh_from_db()
    copy.refresh_from_db()
    assert counts == {"ingested": 1, "failed": 0, "duplicates": 1, "other": 0}
    assert copy.duplicate_of_id == original.pk
    assert copy.content_hash == original.content_hash
    assert copy.status == PublicationStatus.FETCHED
    assert copy.entries.count() == 0
    assert CustomsPriceEntry.objects.count() == 13
    # Nothing left to do: the copy is not pending.
    assert publications_ingest_pending(source=douane, client=http_client)["ingested"] == 0


def test_the_same_file_twice_is_one_publication(server, http_client, douane):
    url = serve_ods(server, "/same.ods")
    first = discover(douane, url)
    publication_advance(publication=first, client=http_client)
    second = discover(douane, url)
    assert second.pk == first.pk
    publication_advance(publication=second, client=http_client)
    assert CustomsPublication.objects.count() == 1
    assert CustomsPriceEntry.objects.count() == 13
    assert server.hits("/same.ods") == 1


def test_html_served_instead_of_ods_fails_at_fetch(server, http_client, douane):
    server.route(
        "/blocked.ods",
        Reply(200, b"<!DOCTYPE html><html><body>Acces refuse</body></html>", {}),
    )
    publication = discover(douane, server.url("/blocked.ods"))
    with pytest.raises(StageError):
        publication_advance(publication=publication, client=http_client)
    publication.refresh_from_db()
    assert (publication.status, publication.failed_stage) == ("failed", "fetch")
    assert "HTML page" in publication.error
    assert publication.raw_blob is None
    assert publication.failed_at is not None


def test_truncated_ods_fails_at_parse(server, http_client, douane):
    server.route("/cut.ods", Reply(200, EDITION_2.read_bytes()[:1200], ODS_TYPE))
    publication = discover(douane, server.url("/cut.ods"))
    with pytest.raises(StageError):
        publication_advance(publication=publication, client=http_client)
    publication.refresh_from_db()
    assert (publication.status, publication.failed_stage) == ("failed", "parse")
    assert "truncated or damaged" in publication.error
    assert publication.entries.count() == 0


def test_403_twice_then_success(server, http_client, douane):
    answers = iter([Reply(403, b"Forbidden"), Reply(403, b"Forbidden")])

    def flaky(_request):
        return next(answers, Reply(200, EDITION_2.read_bytes(), ODS_TYPE))

    server.route("/flaky.ods", flaky)
    publication = discover(douane, server.url("/flaky.ods"))
    publication = publication_advance(publication=publication, client=http_client)
    assert publication.status == PublicationStatus.INGESTED
    assert server.hits("/flaky.ods") == 3
    assert CustomsFetch.objects.get(publication=publication).attempts == 3


def test_500_forever_fails_with_the_reason_and_retry_resumes(server, http_client, douane):
    server.route("/down.ods", Reply(500, b"Internal Server Error"))
    publication = discover(douane, server.url("/down.ods"))
    with pytest.raises(StageError):
        publication_advance(publication=publication, client=http_client)
    publication.refresh_from_db()
    assert (publication.status, publication.failed_stage) == ("failed", "fetch")
    assert "500" in publication.error
    assert server.hits("/down.ods") == 4  # the first try and three retries
    failed_fetch = CustomsFetch.objects.get(publication=publication)
    assert (failed_fetch.http_status, failed_fetch.attempts) == (500, 4)
    assert failed_fetch.error

    serve_ods(server, "/down.ods")
    publication = publication_retry(publication=publication, client=http_client)
    assert publication.status == PublicationStatus.INGESTED
    assert publication.failed_stage == publication.error == ""
    assert publication.metadata["last_failure"]["stage"] == "fetch"


def test_a_crash_mid_ingestion_leaves_no_rows(server, http_client, douane, monkeypatch):
    publication = discover(douane, serve_ods(server, "/crash.ods"))
    monkeypatch.setattr(lifecycle, "INGEST_BATCH_SIZE", 4)
    real_bulk_create = CustomsPriceEntry.objects.bulk_create
    calls = []

    def crash_on_third_batch(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(CustomsPriceEntry.objects, "bulk_create", crash_on_third_batch)
    with pytest.raises(StageError):
        publication_advance(publication=publication, client=http_client)

    publication.refresh_from_db()
    assert calls == [4, 4, 4]  # two batches were written before the crash…
    assert CustomsPriceEntry.objects.count() == 0  # …and rolled back with it
    assert (publication.status, publication.failed_stage) == ("failed", "ingest")
    assert "RuntimeError: disk full" in publication.error
    assert publication.entry_count == 0

    monkeypatch.undo()
    fetches_before = server.hits("/crash.ods")
    publication = publication_retry(publication=publication, client=http_client)
    assert publication.status == PublicationStatus.INGESTED
    assert publication.entries.count() == 13
    # Retry resumed at ingestion: the document was not downloaded again.
    assert server.hits("/crash.ods") == fetches_before


def test_retry_refuses_a_publication_that_did_not_fail(server, http_client, douane):
    publication = discover(douane, serve_ods(server, "/ok.ods"))
    publication = publication_advance(publication=publication, client=http_client)
    with pytest.raises(Exception, match="not failed"):
        publication_retry(publication=publication, client=http_client)


def test_the_diff_between_two_editions(server, http_client, douane):
    september = discover(douane, serve_ods(server, "/sept.ods", EDITION_1))
    publication_advance(publication=september, client=http_client)
    november = discover(douane, serve_ods(server, "/nov.ods", EDITION_2))
    november = publication_advance(publication=november, client=http_client)

    kinds = dict(november.entries.values_list("raw_label", "change_kind"))
    assert kinds["Cohiba Robustos, en 25 cigares"] == ChangeKind.CHANGED
    assert kinds["Lucky Strike Cigarillos, en 10 cigares"] == ChangeKind.UNCHANGED
    assert kinds["Cohiba Robustos (5 étuis de 3), en 3 cigares"] == ChangeKind.UNCHANGED
    assert kinds["Cohiba Siglo VI (tube), en 3 cigares"] == ChangeKind.NEW
    assert kinds["Capitol Art Deco E.L. (coffret), en 10 cigares"] == ChangeKind.RENAMED
    assert kinds["Trinidad Reyes, en 12 cigares"] == ChangeKind.WITHDRAWN
    assert kinds["La Estancia #60, en 10 ciagres"] == ChangeKind.CHANGED

    diff = november.metadata["diff"]
    assert diff["previous_publication_id"] == september.pk
    assert diff["counts"] == {
        "new": 1,
        "changed": 2,
        "unchanged": 8,
        "renamed": 1,
        "withdrawn": 1,
    }
    gone = set(
        CustomsPriceEntry.objects.filter(pk__in=diff["disappeared_entry_ids"]).values_list(
            "raw_label", flat=True
        )
    )
    assert "Aladino - Maduro - Boxed Pressed \u2013 Robusto" in gone
    assert "Cohiba Robustos, en 25 cigares" not in gone
    robustos = november.entries.get(raw_label="Cohiba Robustos, en 25 cigares")
    assert robustos.parsed["previous"]["pack_price"] == "2050.00"


def test_first_edition_kinds_come_from_the_sheet(server, http_client, douane):
    september = discover(douane, serve_ods(server, "/sept.ods", EDITION_1))
    september = publication_advance(publication=september, client=http_client)
    kinds = dict(september.entries.values_list("raw_label", "change_kind"))
    assert kinds["Cohiba Robustos, en 25 cigares"] == ChangeKind.CHANGED
    assert kinds["Lucky Strike Cigarillos, en 10 cigares"] == ChangeKind.UNCHANGED
    assert september.metadata["diff"]["previous_publication_id"] is None


def test_ingestion_announces_itself_after_commit(
    server, http_client, douane, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, publication_id, **kwargs):
        received.append(publication_id)

    publication_ingested.connect(listener)
    try:
        publication = discover(douane, serve_ods(server, "/signal.ods"))
        with django_capture_on_commit_callbacks(execute=True):
            publication = publication_advance(publication=publication, client=http_client)
    finally:
        publication_ingested.disconnect(listener)
    assert received == [publication.pk]


def test_a_stage_claimed_by_another_worker_is_skipped(server, http_client, douane):
    import datetime as dt

    from django.utils import timezone

    from customs.services import StageSkipped, publication_fetch

    url = serve_ods(server, "/busy.ods")
    publication = discover(douane, url)
    CustomsPublication.objects.filter(pk=publication.pk).update(
        claimed_until=timezone.now() + dt.timedelta(minutes=5)
    )
    with pytest.raises(StageSkipped, match="another worker"):
        publication_fetch(publication=publication, client=http_client)
    assert server.hits("/busy.ods") == 0
    # advance() does not wait: it reports the row as it is.
    assert publication_advance(publication=publication, client=http_client).status == "discovered"

    # An expired claim (a crashed worker) no longer blocks, and the claim is released after.
    CustomsPublication.objects.filter(pk=publication.pk).update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1)
    )
    publication = publication_advance(publication=publication, client=http_client)
    assert publication.status == PublicationStatus.INGESTED
    assert publication.claimed_until is None
    assert publication.attempts == 3  # fetch, parse, ingest


def test_a_stage_whose_status_moved_on_is_skipped(server, http_client, douane):
    from customs.services import StageSkipped, publication_fetch

    publication = discover(douane, serve_ods(server, "/done.ods"))
    publication = publication_advance(publication=publication, client=http_client)
    with pytest.raises(StageSkipped):
        publication_fetch(publication=publication, client=http_client)
    assert server.hits("/done.ods") == 1
