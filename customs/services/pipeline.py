"""Driving the stages: run what a publication's status calls for, retry a failure, sweep."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from cigarspace.http import HttpClient
from customs.adapters import AdapterError
from customs.models import CustomsPublication, CustomsSource, PublicationStage, PublicationStatus
from customs.selectors import publications_pending
from customs.services.fetches import customs_http_client
from customs.services.lifecycle import (
    NEXT_STAGE,
    STAGE_INPUT,
    StageError,
    StageSkipped,
    publication_fetch,
    publication_ingest,
    publication_parse,
)


def publication_run_stage(
    *, publication: CustomsPublication, client: HttpClient | None = None
) -> CustomsPublication:
    """Run the one stage the publication's status calls for."""
    stage = NEXT_STAGE.get(publication.status)
    if stage is None or publication.duplicate_of_id is not None:
        return publication
    if stage == PublicationStage.FETCH:
        return publication_fetch(publication=publication, client=client)
    if stage == PublicationStage.PARSE:
        return publication_parse(publication=publication)
    return publication_ingest(publication=publication)


def publication_advance(
    *, publication: CustomsPublication, client: HttpClient | None = None
) -> CustomsPublication:
    """Run every pending stage; stops at the first failure (re-raised as ``StageError``)."""
    while NEXT_STAGE.get(publication.status) and publication.duplicate_of_id is None:
        try:
            publication = publication_run_stage(publication=publication, client=client)
        except StageSkipped:
            # Another worker holds it: report what the row says now, without waiting.
            publication.refresh_from_db()
            break
    return publication


@transaction.atomic
def publication_reset_for_retry(*, publication: CustomsPublication) -> CustomsPublication:
    """Put a failed publication back in the status its failed stage starts from."""
    locked = CustomsPublication.objects.select_for_update().get(pk=publication.pk)
    if locked.status != PublicationStatus.FAILED:
        raise AdapterError(
            f"Publication {locked.pk} is {locked.status}, not failed: nothing to retry."
        )
    stage = locked.failed_stage
    locked.status = STAGE_INPUT.get(stage, PublicationStatus.DISCOVERED)
    locked.failed_stage = ""
    locked.metadata = {
        **locked.metadata,
        "last_failure": {
            "stage": stage,
            "error": locked.error,
            "at": locked.failed_at.isoformat() if locked.failed_at else None,
        },
    }
    locked.error = ""
    locked.save()
    return locked


def publication_retry(
    *, publication: CustomsPublication, client: HttpClient | None = None
) -> CustomsPublication:
    """Resume a failed publication at the stage it failed in, then run the rest."""
    publication = publication_reset_for_retry(publication=publication)
    return publication_advance(publication=publication, client=client)


def publications_ingest_pending(
    *,
    source: CustomsSource | None = None,
    client: HttpClient | None = None,
    progress: Callable[[CustomsPublication], None] | None = None,
) -> dict[str, int]:
    """Advance every pending publication; one failure never stops the others."""
    counts = {"ingested": 0, "failed": 0, "duplicates": 0, "other": 0}
    client = client or customs_http_client()
    for publication in publications_pending(source=source):
        try:
            publication = publication_advance(publication=publication, client=client)
        except StageError:
            counts["failed"] += 1
        else:
            if publication.duplicate_of_id:
                counts["duplicates"] += 1
            elif publication.status == PublicationStatus.INGESTED:
                counts["ingested"] += 1
            else:
                counts["other"] += 1
        if progress:
            progress(publication)
    return counts
