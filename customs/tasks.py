"""django-q2 tasks of the customs app: thin callers of the services, one per stage.

Each stage task queues the next one with ``transaction.on_commit``, so the next worker
only ever sees committed state. Ingestion then sends ``customs.signals.publication_ingested``
(on commit), which the matching app listens to.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_q.tasks import async_task

from customs.models import CustomsPublication, CustomsSource, PublicationStatus
from customs.services import StageError, StageSkipped, publication_run_stage
from customs.services.fetches import customs_http_client
from customs.services.runs import publications_ingest_run, source_discover_run

logger = logging.getLogger(__name__)

STAGE_TASKS = {
    PublicationStatus.DISCOVERED: "customs.tasks.fetch_publication",
    PublicationStatus.FETCHED: "customs.tasks.parse_publication",
    PublicationStatus.PARSED: "customs.tasks.ingest_publication",
}


def queue_next_stage(publication: CustomsPublication) -> None:
    """Queue the task for the publication's next stage, after the current commit."""
    task = STAGE_TASKS.get(publication.status)
    if task is None or publication.duplicate_of_id is not None:
        return
    publication_id = publication.pk
    transaction.on_commit(lambda: async_task(task, publication_id))


def discover_source(slug: str) -> str:
    """Scheduled daily per source: list new documents, then queue their fetch."""
    source = CustomsSource.objects.get(slug=slug)
    run, outcome = source_discover_run(source=source, trigger="task")
    if outcome is not None:
        for publication in CustomsPublication.objects.filter(pk__in=outcome.created).order_by("pk"):
            queue_next_stage(publication)
    return f"{slug}: {run.outcome} — {run.message}"


def _stage(publication_id: int, expected: str) -> str:
    publication = CustomsPublication.objects.select_related("source").get(pk=publication_id)
    if publication.status != expected:
        # Already done by someone else (a command, a retry): nothing to do twice.
        return f"publication {publication_id} is {publication.status}; skipped"
    try:
        publication = publication_run_stage(publication=publication, client=customs_http_client())
    except StageError as exc:
        return f"publication {publication_id} failed at {exc.stage}: {exc}"
    except StageSkipped as exc:
        return str(exc)
    queue_next_stage(publication)
    return f"publication {publication_id} is {publication.status}"


def fetch_publication(publication_id: int) -> str:
    return _stage(publication_id, PublicationStatus.DISCOVERED)


def parse_publication(publication_id: int) -> str:
    return _stage(publication_id, PublicationStatus.FETCHED)


def ingest_publication(publication_id: int) -> str:
    return _stage(publication_id, PublicationStatus.PARSED)


def ingest_pending() -> str:
    """Scheduled hourly: resume whatever a crash or a restart left half-way."""
    run = publications_ingest_run(trigger="task")
    return f"{run.outcome} — {run.message}"


def retry_publication(publication_id: int) -> str:
    """Resume a failed publication (queued by the admin action)."""
    from customs.services.runs import publication_advance_run

    publication = CustomsPublication.objects.select_related("source").get(pk=publication_id)
    if publication.status != PublicationStatus.FAILED:
        return f"publication {publication_id} is {publication.status}; nothing to retry"
    run = publication_advance_run(
        publication=publication, client=customs_http_client(), trigger="task", retry=True
    )
    return f"publication {publication_id}: {run.outcome} — {run.message}"
