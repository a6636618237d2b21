"""Background tasks of the price watch (django-q2): thin callers of the services.

Nothing is sent in a request or in the ingestion transaction: matching's signals queue
``publication_events`` (an edition matched) and ``entry_events`` (a reviewer linked an
entry to a cigar) after commit; they write the events, then queue the deliveries.
``deliver_due`` also runs every minute for retries that fell due.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_q.tasks import async_task

from customs.models import CustomsPriceEntry
from watch.services import (
    deliveries_create,
    deliveries_send_due,
    digests_send,
    publication_events_compute,
)

logger = logging.getLogger(__name__)


def queue_delivery(*, publication_id: int, event_ids: list[int] | None = None) -> None:
    """Deliveries for released events (those named, or every one of the edition), then the
    webhook sender and the digests, all after the caller's transaction commits."""

    def queue() -> None:
        created = deliveries_create(
            event_ids=event_ids, publication_id=None if event_ids is not None else publication_id
        )
        if created:
            async_task("watch.tasks.deliver_due", task_name="watch: deliver webhooks")
        async_task(
            "watch.tasks.send_digests",
            publication_id,
            task_name=f"watch: digests of publication {publication_id}",
        )

    transaction.on_commit(queue)


def publication_events(publication_id: int) -> dict:
    outcome = publication_events_compute(publication_id=publication_id)
    queue_delivery(publication_id=publication_id)
    return {"publication": publication_id, **outcome.summary}


def entry_events(entry_id: int) -> dict:
    entry = CustomsPriceEntry.objects.filter(pk=entry_id).only("publication_id").first()
    if entry is None:
        return {"entry": entry_id, "skipped": True}
    outcome = publication_events_compute(publication_id=entry.publication_id, entry_ids=[entry_id])
    queue_delivery(publication_id=entry.publication_id)
    return {"entry": entry_id, **outcome.summary}


def deliver_due() -> dict:
    outcome = deliveries_send_due()
    return {"attempted": outcome.attempted, "succeeded": outcome.succeeded}


def send_digests(publication_id: int) -> dict:
    return {"publication": publication_id, "sent": digests_send(publication_id=publication_id)}
