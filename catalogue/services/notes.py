"""Tasting notes and provenance records."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from catalogue.models import (
    Cigar,
    SourceRecord,
    TastingNote,
)
from catalogue.services._common import (
    TASTING_NOTE_FIELDS,
    _apply,
    _clean,
)

# --- tasting notes ---------------------------------------------------------------------


@transaction.atomic
def tasting_note_create(*, cigar: Cigar, reviewer: str, **fields: Any) -> TastingNote:
    note = TastingNote(cigar=cigar, reviewer=reviewer)
    _apply(note, fields, TASTING_NOTE_FIELDS)
    _clean(note)
    note.save()
    return note


@transaction.atomic
def tasting_note_update(*, note: TastingNote, **fields: Any) -> TastingNote:
    if _apply(note, fields, TASTING_NOTE_FIELDS):
        _clean(note)
        note.save()
    return note


@transaction.atomic
def tasting_note_delete(*, note: TastingNote) -> None:
    note.delete()


# --- provenance ------------------------------------------------------------------------------


@transaction.atomic
def source_record_create(
    *,
    url: str,
    parser: str,
    parser_version: str,
    content_hash: str = "",
    http_status: int | None = None,
    cigar: Cigar | None = None,
    notes: str = "",
    stats: dict[str, Any] | None = None,
) -> SourceRecord:
    return SourceRecord.objects.create(
        url=url[:2000],
        fetched_at=timezone.now(),
        http_status=http_status,
        parser=parser,
        parser_version=parser_version,
        content_hash=content_hash,
        cigar=cigar,
        notes=notes,
        stats=stats or {},
    )
