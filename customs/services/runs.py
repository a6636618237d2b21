"""Runs: discovery and ingestion with their outcome recorded (``CustomsRun``), so every
run is visible in the admin whoever started it (command, scheduled task, admin action)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from cigarspace.http import HttpClient
from customs.models import (
    CustomsPublication,
    CustomsRun,
    CustomsSource,
    PublicationStatus,
    RunKind,
    RunOutcome,
)
from customs.services.discovery import DiscoveryOutcome, source_discover
from customs.services.lifecycle import StageError
from customs.services.pipeline import (
    publication_advance,
    publication_retry,
    publications_ingest_pending,
)


@transaction.atomic
def run_start(
    *,
    kind: str,
    source: CustomsSource | None = None,
    publication: CustomsPublication | None = None,
    trigger: str = "command",
) -> CustomsRun:
    return CustomsRun.objects.create(
        kind=kind,
        source=source or (publication.source if publication else None),
        publication=publication,
        trigger=trigger,
        started_at=timezone.now(),
    )


@transaction.atomic
def run_finish(*, run: CustomsRun, outcome: str, message: str = "", summary: dict | None = None):
    run.outcome = outcome
    run.message = message[:4000]
    run.summary = summary or {}
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "message", "summary", "finished_at"])
    # One line per run with its counts and duration, for the logs as well as the admin.
    logger.info(
        "customs %s run %s finished: %s in %.2fs %s%s",
        run.kind,
        run.pk,
        run.outcome,
        (run.finished_at - run.started_at).total_seconds(),
        run.summary,
        f" ({run.message})" if run.message else "",
        extra={"run_kind": run.kind, "outcome": run.outcome, "summary": run.summary},
    )
    return run


logger = logging.getLogger(__name__)


def source_discover_run(
    *, source: CustomsSource, client: HttpClient | None = None, trigger: str = "command"
) -> tuple[CustomsRun, DiscoveryOutcome | None]:
    """Discovery with its run log; a network failure is recorded, not raised."""
    run = run_start(kind=RunKind.DISCOVER, source=source, trigger=trigger)
    try:
        outcome = source_discover(source=source, client=client)
    except Exception as exc:
        run_finish(run=run, outcome=RunOutcome.FAILED, message=f"{type(exc).__name__}: {exc}")
        return run, None
    if not outcome.configured:
        run_finish(run=run, outcome=RunOutcome.NOT_CONFIGURED, message=outcome.message)
    else:
        run_finish(
            run=run,
            outcome=RunOutcome.OK,
            message=outcome.message,
            summary={"found": outcome.found, "created": outcome.created},
        )
    return run, outcome


def publications_ingest_run(
    *,
    source: CustomsSource | None = None,
    client: HttpClient | None = None,
    trigger: str = "command",
    progress: Callable[[CustomsPublication], None] | None = None,
) -> CustomsRun:
    """Every pending stage of every pending publication (of one source, or all)."""
    run = run_start(kind=RunKind.INGEST, source=source, trigger=trigger)
    counts = publications_ingest_pending(source=source, client=client, progress=progress)
    outcome = RunOutcome.FAILED if counts["failed"] else RunOutcome.OK
    message = ", ".join(f"{n} {label}" for label, n in counts.items())
    return run_finish(run=run, outcome=outcome, message=message, summary=counts)


def publication_advance_run(
    *,
    publication: CustomsPublication,
    client: HttpClient | None = None,
    trigger: str = "command",
    retry: bool = False,
) -> CustomsRun:
    """Advance (or retry) one publication, recording the run."""
    run = run_start(
        kind=RunKind.RETRY if retry else RunKind.INGEST, publication=publication, trigger=trigger
    )
    try:
        if retry:
            publication = publication_retry(publication=publication, client=client)
        else:
            publication = publication_advance(publication=publication, client=client)
    except StageError as exc:
        return run_finish(
            run=run,
            outcome=RunOutcome.FAILED,
            message=f"failed at {exc.stage}: {exc}",
            summary={"publication": publication.pk, "stage": exc.stage},
        )
    summary = {
        "publication": publication.pk,
        "status": publication.status,
        "entries": publication.entry_count,
        "duplicate_of": publication.duplicate_of_id,
    }
    message = (
        f"duplicate of publication {publication.duplicate_of_id}"
        if publication.duplicate_of_id
        else f"{publication.status}, {publication.entry_count} entries"
    )
    outcome = (
        RunOutcome.OK
        if publication.status in (PublicationStatus.INGESTED, PublicationStatus.FETCHED)
        else RunOutcome.FAILED
    )
    return run_finish(run=run, outcome=outcome, message=message, summary=summary)


def publication_ingest_file_run(
    *,
    source: CustomsSource,
    path,
    effective_date=None,
    note: str = "",
    trigger: str = "command",
    accept_count_drop: str = "",
    zone: str = "",
) -> tuple[CustomsRun, CustomsPublication | None]:
    """``publication_ingest_file`` with its run log; errors are recorded and re-raised.

    A file whose publication is (still) failed logs a failed run: the caller checks
    ``publication.status``, as the run's outcome does.
    """
    from customs.services.files import publication_ingest_file

    run = run_start(kind=RunKind.INGEST_FILE, source=source, trigger=trigger)
    try:
        publication = publication_ingest_file(
            source=source,
            path=path,
            effective_date=effective_date,
            note=note,
            accept_count_drop=accept_count_drop,
            zone=zone,
        )
    except Exception as exc:
        run_finish(
            run=run,
            outcome=RunOutcome.FAILED,
            message=f"{path}: {exc}",
            summary={"file": str(path)},
        )
        raise
    run.publication = publication
    run.save(update_fields=["publication"])
    failed = publication.status == PublicationStatus.FAILED
    message = (
        f"publication {publication.pk} failed at {publication.failed_stage}: {publication.error}"
        if failed
        else f"{publication.status}, {publication.entry_count} entries"
    )
    run_finish(
        run=run,
        outcome=RunOutcome.FAILED if failed else RunOutcome.OK,
        message=message,
        summary={"file": str(path), "publication": publication.pk},
    )
    return run, publication
