"""Background tasks of matching (django-q2): thin callers of the services.

- ``publication_embed_and_match(publication_id)``: queued after a publication's ingestion
  commits (``customs.signals.publication_ingested``, connected in ``matching.apps``):
  embeds its entries (and any cigar without a vector), then matches it incrementally;
- ``match_pending()``: the hourly safety net: every entry never scored (or relabelled);
- ``reopen_labels_for_brand(brand_id)``: queued when a cigar joins the catalogue
  (``matching.apps.queue_labels_reopen``): labels "not in the catalogue" it fits go back
  to review;
- ``embed_missing()``: vectors for entries without one of the current model (cigars have
  the catalogue's own schedule).
"""

from __future__ import annotations

import logging

from django.core.exceptions import ImproperlyConfigured

from customs.models import CustomsPriceEntry, CustomsPublication
from matching.embeddings import embed_pending
from matching.services import all_match, publication_match

logger = logging.getLogger(__name__)


def publication_embed_and_match(publication_id: int) -> dict:
    publication = CustomsPublication.objects.filter(pk=publication_id).first()
    if publication is None:
        logger.warning("Publication %s vanished before matching.", publication_id)
        return {"publication": publication_id, "skipped": True}
    entry_ids = list(
        CustomsPriceEntry.objects.filter(publication=publication).values_list("pk", flat=True)
    )
    try:
        counts = embed_pending(mode="missing", entry_ids=entry_ids)
        embedded = f"{counts.cigars} cigar(s) and {counts.entries} entr(ies)"
    except ImproperlyConfigured as exc:
        # No model at hand: match on the other signals (weights are renormalised) rather
        # than leave a whole publication unmatched.
        logger.error("Embedding unavailable, matching without vectors: %s", exc)
        embedded = "nothing (no model)"
    outcome = publication_match(publication=publication, trigger="task")
    logger.info("Publication %s: embedded %s; %s", publication_id, embedded, outcome.run.counts)
    return {"publication": publication_id, "run": outcome.run.pk, **outcome.run.counts}


def match_pending() -> dict:
    outcome = all_match(trigger="schedule")
    return {"run": outcome.run.pk, "scored": outcome.run.entries_scored}


def embed_missing() -> dict:
    # Cigars have their own schedule (catalogue.tasks.embed_missing_cigars).
    counts = embed_pending(mode="missing", include_cigars=False)
    return {"cigars": counts.cigars, "entries": counts.entries, "model": counts.model}


#: Set while a reopening task of the brand waits (``matching.apps.queue_labels_reopen``).
REOPEN_FLAG = "matching:reopen-brand:{}"


def reopen_labels_for_brand(brand_id: int) -> dict:
    from django.core.cache import cache

    from matching.services.groups import labels_reopen_for_brand

    # Cleared first: a cigar of the brand added from now on queues the next run.
    cache.delete(REOPEN_FLAG.format(brand_id))
    return {"brand": brand_id, "reopened": labels_reopen_for_brand(brand_id=brand_id)}
