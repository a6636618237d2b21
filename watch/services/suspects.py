"""Suspect price changes: flagged at event time, held until an operator decides.

A change is suspect when the new price is beyond ``WATCH_SUSPECT_RATIO`` (x1.75 by
default) of the previous one, either way, or when the ratio equals the pack size (within
2 %): the pack price was written in the unit column. An operator then

- confirms it: the held events are released and delivered;
- marks it a source error: the events are suppressed, and the price selectors keep the
  previous price in force (``watch.prices``).

Decisions are recorded (who, when, note) and never undone silently: deciding twice is
refused.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from customs.models import ChangeKind, CustomsPriceEntry, CustomsPublication
from watch.models import HoldState, SuspectChange, SuspectReason, SuspectStatus, WatchEvent

PACK_RATIO_TOLERANCE = Decimal("0.02")


class SuspectAlreadyDecided(Exception):
    pass


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def suspect_reason(
    *,
    old_unit: Decimal | None,
    new_unit: Decimal | None,
    old_pack: Decimal | None,
    new_pack: Decimal | None,
    pack_size: int | None,
    limit: float | None = None,
) -> tuple[str, Decimal] | None:
    """(reason, ratio) when a change from old to new prices is suspect, else None."""
    limit_ratio = Decimal(str(limit if limit is not None else settings.WATCH_SUSPECT_RATIO))
    pairs = [(old_unit, new_unit), (old_pack, new_pack)]
    ratios = [new / old for old, new in pairs if old and new and old > 0 and new > 0]
    if not ratios:
        return None
    # The unit price carries the pack-in-unit mistake; the pack price the rest.
    unit_ratio = new_unit / old_unit if old_unit and new_unit and old_unit > 0 else None
    if (
        unit_ratio is not None
        and pack_size
        and pack_size > 1
        and abs(unit_ratio - pack_size) <= PACK_RATIO_TOLERANCE * pack_size
    ):
        return SuspectReason.PACK_IN_UNIT, unit_ratio.quantize(Decimal("0.0001"))
    worst = max(ratios, key=lambda r: max(r, 1 / r))
    if worst >= limit_ratio or worst <= 1 / limit_ratio:
        return SuspectReason.RATIO, worst.quantize(Decimal("0.0001"))
    return None


def suspects_flag(*, publication: CustomsPublication, entry_ids: list[int] | None = None) -> int:
    """Flag the suspect price changes of an edition; returns how many were new."""
    entries = CustomsPriceEntry.objects.filter(
        publication=publication, change_kind__in=[ChangeKind.CHANGED, ChangeKind.RENAMED]
    ).only(
        "pk",
        "parsed",
        "unit_price",
        "pack_price",
        "old_unit_price",
        "old_pack_price",
        "pack_size",
    )
    if entry_ids is not None:
        entries = entries.filter(pk__in=entry_ids)
    rows = []
    for entry in entries.iterator(chunk_size=2000):
        previous = (entry.parsed or {}).get("previous") or {}
        old_unit = _decimal(previous.get("unit_price")) or entry.old_unit_price
        old_pack = _decimal(previous.get("pack_price")) or entry.old_pack_price
        found = suspect_reason(
            old_unit=old_unit,
            new_unit=entry.unit_price,
            old_pack=old_pack,
            new_pack=entry.pack_price,
            pack_size=entry.pack_size,
        )
        if found is None:
            continue
        reason, ratio = found
        rows.append(
            SuspectChange(
                entry_id=entry.pk,
                previous_entry_id=previous.get("entry_id"),
                reason=reason,
                ratio=ratio,
                old_unit_price=old_unit,
                new_unit_price=entry.unit_price,
                old_pack_price=old_pack,
                new_pack_price=entry.pack_price,
            )
        )
    if not rows:
        return 0
    before = SuspectChange.objects.filter(entry_id__in=[r.entry_id for r in rows]).count()
    SuspectChange.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows) - before


def _decide(
    *, suspect: SuspectChange, status: str, hold: str, actor, note: str
) -> tuple[SuspectChange, list[int]]:
    with transaction.atomic():
        locked = SuspectChange.objects.select_for_update().get(pk=suspect.pk)
        if locked.status != SuspectStatus.PENDING:
            raise SuspectAlreadyDecided(
                f"This change was already decided ({locked.get_status_display()})."
            )
        locked.status = status
        locked.decided_by = actor if getattr(actor, "pk", None) else None
        locked.decided_at = timezone.now()
        locked.note = note
        locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
        events = WatchEvent.objects.filter(entry_id=locked.entry_id, hold=HoldState.HELD)
        event_ids = list(events.values_list("pk", flat=True))
        events.update(hold=hold)
    return locked, event_ids


def suspect_confirm(*, suspect: SuspectChange, actor, note: str = "") -> list[int]:
    """The change is real: release its held events (the caller queues their delivery)."""
    _, released = _decide(
        suspect=suspect,
        status=SuspectStatus.CONFIRMED,
        hold=HoldState.RELEASED,
        actor=actor,
        note=note,
    )
    return released


def suspect_reject(*, suspect: SuspectChange, actor, note: str = "") -> list[int]:
    """A source error: its events are never delivered; the previous price stays in force."""
    _, suppressed = _decide(
        suspect=suspect,
        status=SuspectStatus.SOURCE_ERROR,
        hold=HoldState.SUPPRESSED,
        actor=actor,
        note=note,
    )
    return suppressed
