"""The publication lifecycle: discovered → fetched → parsed → ingested (or failed).

Each stage is a service. Stages that talk to the network or read big files do *not* hold
a database transaction while they work (a slow download must not pin a connection and
row locks); they write their outcome in one short transaction at the end. Ingestion is
the exception by design: all the entries of one publication are written in ONE
transaction, so a crash leaves no partial edition behind.

A failing stage leaves the publication ``failed`` with the stage and the error;
``publication_retry`` resumes at that stage.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cigarspace.http import HttpClient, HttpError
from customs.adapters import (
    AdapterError,
    Extraction,
    SourceNotConfigured,
    extractor_adapter_for,
)
from customs.models import (
    CustomsPriceEntry,
    CustomsPublication,
    CustomsSource,
    PublicationStage,
    PublicationStatus,
)
from customs.rows import MAX_WARNINGS
from customs.selectors import publication_previous
from customs.services.diff import edition_diff
from customs.services.fetches import customs_http_client
from customs.services.raw_documents import raw_document_path, raw_document_store
from customs.services.truncation import check_count_drop
from customs.signals import publication_ingested

logger = logging.getLogger(__name__)

#: Entries are inserted in batches of this size (inside the one ingestion transaction).
INGEST_BATCH_SIZE = 1000
MAX_ERROR_LENGTH = 4000
#: How long a worker may hold a stage: the task timeout (a crashed worker's claim expires).
CLAIM_DURATION = dt.timedelta(seconds=settings.Q_CLUSTER.get("timeout", 1800))

# The status a stage starts from, and the one it leaves behind.
STAGE_INPUT: dict[str, str] = {
    PublicationStage.FETCH: PublicationStatus.DISCOVERED,
    PublicationStage.PARSE: PublicationStatus.FETCHED,
    PublicationStage.INGEST: PublicationStatus.PARSED,
}
NEXT_STAGE: dict[str, str] = {status: stage for stage, status in STAGE_INPUT.items()}


class StageSkipped(Exception):
    """The stage is not due: the status moved on, or another worker holds the claim."""


class StageError(Exception):
    """A stage failed; the publication was marked failed with this message."""

    def __init__(self, message: str, *, stage: str) -> None:
        super().__init__(message)
        self.stage = stage


def _downloads_dir() -> Path:
    # Partial downloads live outside the blob store until complete (resumable with Range).
    path = Path(settings.CUSTOMS_DOWNLOAD_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _describe(exc: BaseException) -> str:
    if isinstance(exc, HttpError | AdapterError):
        return str(exc)[:MAX_ERROR_LENGTH]
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]


# --- failure ----------------------------------------------------------------------------------


@transaction.atomic
def publication_fail(*, publication: CustomsPublication, stage: str, error: str) -> None:
    CustomsPublication.objects.filter(pk=publication.pk).update(
        status=PublicationStatus.FAILED,
        failed_stage=stage,
        error=error[:MAX_ERROR_LENGTH],
        failed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    publication.refresh_from_db()


def _claim(publication: CustomsPublication, stage: str) -> None:
    """Take the stage with a conditional UPDATE: exactly one worker gets the row.

    The claim expires (a crashed worker does not block the publication forever); it is
    released when the stage ends, whatever the outcome.
    """
    now = timezone.now()
    claimed = (
        CustomsPublication.objects.filter(pk=publication.pk, status=STAGE_INPUT[stage])
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM_DURATION, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        raise StageSkipped(
            f"Publication {publication.pk}: the {stage} stage is not due "
            "(its status changed, or another worker is running it)."
        )


def _run_stage(
    publication: CustomsPublication, stage: str, work: Callable[[], None]
) -> CustomsPublication:
    _claim(publication, stage)
    try:
        work()
    except Exception as exc:
        logger.warning("publication %s failed at %s: %s", publication.pk, stage, exc)
        publication_fail(publication=publication, stage=stage, error=_describe(exc))
        raise StageError(publication.error, stage=stage) from exc
    finally:
        CustomsPublication.objects.filter(pk=publication.pk).update(claimed_until=None)
    publication.refresh_from_db()
    return publication


# --- fetch ------------------------------------------------------------------------------------


def publication_fetch(
    *, publication: CustomsPublication, client: HttpClient | None = None
) -> CustomsPublication:
    """Download the document, check it is the expected kind, keep its bytes as a blob."""
    client = client or customs_http_client()

    def work() -> None:
        adapter = extractor_adapter_for(publication.source, client=client)
        problem = adapter.configuration_problem()
        if problem:
            raise SourceNotConfigured(problem)
        # A stable partial file per publication: a dropped download resumes (Range) on retry.
        dest = _downloads_dir() / f"publication-{publication.pk}{adapter.suffix}.part"
        try:
            result = adapter.download(publication=publication, dest=dest)
        except HttpError:
            # A dropped or refused transfer keeps its partial file: the retry resumes it.
            raise
        except Exception:
            dest.unlink(missing_ok=True)
            raise
        try:
            adapter.check_document(dest)
            blob = raw_document_store(
                path=dest, mime_type=adapter.mime_type_for(dest), max_bytes=adapter.max_bytes
            )
        finally:
            # Rejected bytes are not worth resuming; accepted ones now live in the store.
            dest.unlink(missing_ok=True)
        _publication_fetched(publication=publication, blob=blob, fetched_at=result.fetched_at)

    return _run_stage(publication, PublicationStage.FETCH, work)


@transaction.atomic
def _publication_fetched(*, publication: CustomsPublication, blob, fetched_at: dt.datetime) -> None:
    # One fetch commit at a time per source: two copies of the same bytes fetched at once
    # must not both become "the original" (the unique index would refuse the second).
    CustomsSource.objects.select_for_update().filter(pk=publication.source_id).first()
    locked = CustomsPublication.objects.select_for_update().get(pk=publication.pk)
    # Identical bytes under another URL (Drupal's `_0` copies): remember the original and
    # stop here, so the same edition is never ingested twice.
    original = (
        CustomsPublication.objects.filter(
            source_id=locked.source_id, content_hash=blob.digest, duplicate_of__isnull=True
        )
        .exclude(pk=locked.pk)
        .first()
    )
    locked.content_hash = blob.digest
    locked.raw_blob = blob
    locked.duplicate_of = original
    locked.status = PublicationStatus.FETCHED
    locked.failed_stage = ""
    locked.error = ""
    locked.fetched_at = fetched_at or timezone.now()
    if original is not None:
        locked.metadata = {**locked.metadata, "duplicate_of_url": original.url}
        locked.title = locked.title or original.title
        locked.effective_date = locked.effective_date or original.effective_date
    locked.save()


# --- parse ------------------------------------------------------------------------------------


# The last extraction made in this process: when ingestion follows parsing right away
# (the usual case), the document is not read twice. Keyed by the bytes and the adapter
# version, so a stale entry can never be used; one entry only, so memory stays bounded.
_last_extraction: dict[tuple, Extraction] = {}


def _extract(publication: CustomsPublication, *, reuse: bool = False) -> Extraction:
    if publication.raw_blob_id is None:
        raise AdapterError("The publication has no stored document: fetch it first.")
    adapter = extractor_adapter_for(publication.source)
    key = (publication.pk, publication.content_hash, adapter.name, adapter.version)
    if reuse and key in _last_extraction:
        return _last_extraction.pop(key)
    assert publication.raw_blob is not None  # checked above (raw_blob_id)
    with raw_document_path(publication.raw_blob, suffix=adapter.suffix) as path:
        extraction = adapter.extract(path=path, publication=publication)
    _last_extraction.clear()
    _last_extraction[key] = extraction
    return extraction


def publication_parse(*, publication: CustomsPublication) -> CustomsPublication:
    """Read the stored document: edition line, dates, and check that it yields entries.

    The entries themselves are read again at ingestion (parsing is a pure function of the
    stored bytes), rather than shipping thousands of rows through a JSON column.
    """

    def work() -> None:
        extraction = _extract(publication)
        # A document that lists only changes (a BOE resolution on cigarettes alone) may
        # have no cigar line; a whole list without one is broken.
        source = publication.source
        if source.carries_prices and source.complete_lists and not extraction.entries:
            raise AdapterError(
                "The document has no cigar price lines (no « Cigares et cigarillos » section)."
            )
        _publication_parsed(publication=publication, extraction=extraction)

    return _run_stage(publication, PublicationStage.PARSE, work)


@transaction.atomic
def _publication_parsed(*, publication: CustomsPublication, extraction: Extraction) -> None:
    locked = (
        CustomsPublication.objects.select_for_update()
        .select_related("source")
        .get(pk=publication.pk)
    )
    locked.title = (extraction.title or locked.title)[:500]
    locked.arrete_date = extraction.arrete_date or locked.arrete_date
    locked.effective_date = extraction.effective_date or locked.effective_date
    if locked.source.carries_prices:
        check_count_drop(locked, len(extraction.entries))
    locked.metadata = {
        **locked.metadata,
        **extraction.metadata,
        "parse": {
            "entries": len(extraction.entries),
            "computed_unit_prices": sum(e.unit_price_computed for e in extraction.entries),
            "price_mismatches": sum(e.price_mismatch for e in extraction.entries),
            "withdrawn": sum(e.is_withdrawn for e in extraction.entries),
            "warnings": extraction.warnings[:MAX_WARNINGS],
            "warning_count": extraction.total_warnings,
        },
    }
    locked.status = PublicationStatus.PARSED
    locked.parsed_at = timezone.now()
    locked.save()


# --- ingest -----------------------------------------------------------------------------------


def publication_ingest(*, publication: CustomsPublication) -> CustomsPublication:
    """Write every entry of the publication, with its change kind, in one transaction."""

    def work() -> None:
        extraction = _extract(publication, reuse=True)
        _publication_ingested(publication=publication, extraction=extraction)

    return _run_stage(publication, PublicationStage.INGEST, work)


def _entry_batches(rows: list[CustomsPriceEntry]):
    for start in range(0, len(rows), INGEST_BATCH_SIZE):
        yield rows[start : start + INGEST_BATCH_SIZE]


@transaction.atomic
def _publication_ingested(*, publication: CustomsPublication, extraction: Extraction) -> None:
    locked = (
        CustomsPublication.objects.select_for_update()
        .select_related("source")
        .get(pk=publication.pk)
    )
    previous = publication_previous(publication=locked)
    previous_entries = list(previous.entries.defer("embedding")) if previous else None
    diff = edition_diff(extraction.entries, previous_entries)
    currency = locked.source.currency

    rows = []
    for entry, change in zip(extraction.entries, diff.kinds, strict=True):
        parsed = dict(entry.parsed)
        if change.previous is not None:
            parsed["previous"] = {
                "entry_id": change.previous.pk,
                "label": change.previous.new_label or change.previous.raw_label,
                "unit_price": _str_or_none(change.previous.unit_price),
                "pack_price": _str_or_none(change.previous.pack_price),
            }
        rows.append(
            CustomsPriceEntry(
                publication=locked,
                row_number=entry.row_number,
                raw_label=entry.raw_label,
                new_label=entry.new_label,
                category=entry.category[:200],
                supplier=entry.supplier[:200],
                maker=entry.maker[:200],
                normalised_label=entry.normalised_label,
                pack_size=entry.pack_size,
                packaging=entry.packaging,
                unit_price=entry.unit_price,
                pack_price=entry.pack_price,
                old_unit_price=entry.old_unit_price,
                old_pack_price=entry.old_pack_price,
                surcharge_unit_price=entry.surcharge_unit_price,
                surcharge_pack_price=entry.surcharge_pack_price,
                zone=entry.zone or locked.zone,
                unit_price_computed=entry.unit_price_computed,
                price_mismatch=entry.price_mismatch,
                is_withdrawn=entry.is_withdrawn,
                currency_code=currency,
                tax_class=entry.tax_class,
                change_kind=change.kind,
                parsed=parsed,
            )
        )
    # A retried ingestion starts from a clean slate (a failed one left nothing anyway).
    CustomsPriceEntry.objects.filter(publication=locked).delete()
    for batch in _entry_batches(rows):
        CustomsPriceEntry.objects.bulk_create(batch)

    locked.entry_count = len(rows)
    locked.status = PublicationStatus.INGESTED
    locked.ingested_at = timezone.now()
    locked.metadata = {
        **locked.metadata,
        "diff": {
            "previous_publication_id": previous.pk if previous else None,
            "counts": diff.counts(),
            "disappeared_entry_ids": diff.disappeared,
        },
    }
    locked.save()
    publication_id = locked.pk
    # Matching listens to this signal; sent only once the entries are committed.
    transaction.on_commit(
        lambda: publication_ingested.send(sender=CustomsPublication, publication_id=publication_id)
    )


def _str_or_none(value) -> str | None:
    return None if value is None else str(value)
