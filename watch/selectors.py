"""Reads of the price watch: what an event says.

An event row holds only its keys (watchlist, kind, entry, cigar, publication): official
entries are never edited after ingestion, so the prices before and after are read from
the entry (and the previous edition's prices it recorded) rather than copied into every
event — the copy made the events of a large edition several times slower to write.
"""

from __future__ import annotations

from django.db.models import QuerySet

from watch.models import WatchEvent

EVENT_RELATED = ("entry__publication__source", "entry__suspect_change", "cigar", "watchlist")


def with_event_data(events: QuerySet[WatchEvent]) -> QuerySet[WatchEvent]:
    """What ``event_data`` reads, in the same query."""
    return events.select_related(*EVENT_RELATED)


def _text(value) -> str | None:
    return None if value is None else str(value)


def event_data(event: WatchEvent) -> dict:
    """The event's facts: the line, its cigar, its prices before and after, the pack size,
    the edition's effective date (a new edition: the edition itself)."""
    entry = event.entry
    if entry is None:
        return dict(event.payload)
    publication = entry.publication
    previous = (entry.parsed or {}).get("previous") or {}
    suspect = getattr(entry, "suspect_change", None)
    return {
        "entry_id": entry.pk,
        "publication_id": publication.pk,
        "source": publication.source.slug,
        "country": publication.source.country,
        "effective_date": _text(publication.effective_date),
        "label": entry.raw_label,
        "new_label": entry.new_label or None,
        "cigar_id": event.cigar_id,
        "cigar": event.cigar.full_name if event.cigar else None,
        "pack_size": entry.pack_size,
        "packaging": entry.packaging or None,
        "currency": entry.currency_code,
        "unit_price": _text(entry.unit_price),
        "pack_price": _text(entry.pack_price),
        "old_unit_price": previous.get("unit_price") or _text(entry.old_unit_price),
        "old_pack_price": previous.get("pack_price") or _text(entry.old_pack_price),
        "previous_label": previous.get("label"),
        "suspect": suspect.reason if suspect else None,
    }
