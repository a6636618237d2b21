"""Merging a duplicate cigar into the one that stays, decisions and audit included.

Lives in matching because it moves rows of two apps: the match rows (here, each with a
``MatchEvent``), then the catalogue's rows through ``cigar_merge_catalogue_rows`` (aliases
with their audit, packages, pictures, notes, source records). Finally the duplicate, which
nothing references any more, is deleted through ``cigar_delete``. One transaction: a
refused merge changes nothing.

An entry holding a row for both cigars keeps one row (the stronger status: a human's over
the matcher's, an acceptance over a rejection); the other row's events are re-attached to
the kept row and its status is written into the kept row's merge event, so no decision and
no event is lost. The merge is refused when the two rows carry contradicting human
decisions (accepted for one cigar, rejected for the other) or both are accepted (two
accepted cigars on one entry).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from accounts.actors import Actor, recorded_user
from catalogue.models import Cigar
from catalogue.services import (
    CigarInUse,
    MergeRefused,
    cigar_delete,
    cigar_merge_catalogue_rows,
    describe_references,
)
from matching.models import ACCEPTED_STATUSES, CigarCustomsMatch, MatchEvent, MatchStatus
from matching.services.decisions import decision_atomic
from matching.services.writes import lock_entries

__all__ = ["MergeRefused", "MergeResult", "cigar_merge"]

# Which of two rows of one entry survives a merge: the higher rank here.
_STRENGTH: dict[str, int] = {
    MatchStatus.HUMAN_ACCEPTED: 5,
    MatchStatus.HUMAN_REJECTED: 4,
    MatchStatus.AUTO_ACCEPTED: 3,
    MatchStatus.PENDING_REVIEW: 2,
    MatchStatus.AUTO_REJECTED: 1,
}


@dataclass
class MergeResult:
    into_id: int
    duplicate_id: int
    matches_moved: int = 0
    matches_folded: int = 0
    events_written: int = 0
    catalogue: dict[str, int] = field(default_factory=dict)


def _event(row: CigarCustomsMatch, *, actor: Actor, note: str) -> None:
    # The status does not change: the event records that the decision now names another
    # cigar (the note says which), so the trail of every moved decision is complete.
    MatchEvent.objects.create(
        match=row,
        actor=recorded_user(actor),
        from_status=row.status,
        to_status=row.status,
        score=row.score,
        note=note,
    )


def _check_pairs(pairs: list[tuple[CigarCustomsMatch, CigarCustomsMatch]]) -> None:
    for moving, staying in pairs:
        statuses = {moving.status, staying.status}
        if moving.status in ACCEPTED_STATUSES and staying.status in ACCEPTED_STATUSES:
            raise MergeRefused(
                f"Entry {moving.price_entry_id} would hold two accepted cigars "
                f"(matches {moving.pk} and {staying.pk}); settle it first."
            )
        if {MatchStatus.HUMAN_ACCEPTED, MatchStatus.HUMAN_REJECTED} <= statuses:
            raise MergeRefused(
                f"On entry {moving.price_entry_id} a reviewer accepted one of these cigars and "
                f"rejected the other (matches {moving.pk} and {staying.pk}): they may not be "
                "the same cigar. Settle that entry first."
            )


def cigar_merge(*, duplicate: Cigar, into: Cigar, actor: Actor, reason: str) -> MergeResult:
    """Merge ``duplicate`` into ``into``; ``MergeRefused`` (nothing changed) when it cannot."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why these cigars are the same (kept in the audit)."})
    if duplicate.pk == into.pk:
        raise MergeRefused("A cigar cannot be merged into itself.")
    result = MergeResult(into_id=into.pk, duplicate_id=duplicate.pk)
    with decision_atomic():
        # Entries first, then the cigars: the order every decision and the matcher use.
        entry_ids = sorted(
            set(
                CigarCustomsMatch.objects.filter(cigar_id=duplicate.pk).values_list(
                    "price_entry_id", flat=True
                )
            )
        )
        lock_entries(entry_ids)
        cigars = Cigar.objects.select_for_update().in_bulk([duplicate.pk, into.pk])
        if len(cigars) != 2:
            raise MergeRefused("One of the cigars no longer exists.")
        duplicate, into = cigars[duplicate.pk], cigars[into.pk]
        moving_rows = list(
            CigarCustomsMatch.objects.select_for_update()
            .filter(cigar_id=duplicate.pk)
            .order_by("price_entry_id", "pk")
        )
        staying_rows = {
            row.price_entry_id: row
            for row in CigarCustomsMatch.objects.select_for_update().filter(
                cigar_id=into.pk, price_entry_id__in=[r.price_entry_id for r in moving_rows]
            )
        }
        pairs = [
            (r, staying_rows[r.price_entry_id])
            for r in moving_rows
            if r.price_entry_id in staying_rows
        ]
        _check_pairs(pairs)

        note = f"merged cigar {duplicate.pk} ({duplicate.full_name}) into {into.pk}: {reason}"
        for row in moving_rows:
            staying = staying_rows.get(row.price_entry_id)
            if staying is None:
                row.cigar = into
                row.save(update_fields=["cigar", "updated_at"])
                _event(row, actor=actor, note=note)
                result.matches_moved += 1
                result.events_written += 1
                continue
            keep, fold = (
                (row, staying)
                if _STRENGTH[row.status] > _STRENGTH[staying.status]
                else (staying, row)
            )
            # The folded row's history follows the kept row, then the row itself goes.
            MatchEvent.objects.filter(match=fold).update(match=keep)
            folded = (
                f"; match {fold.pk} ({fold.status}"
                + (f", decided by {fold.decided_by}" if fold.decided_by_id else "")
                + (f": {fold.note}" if fold.note else "")
                + ") folded into this one"
            )
            fold.delete()
            if keep.cigar_id != into.pk:
                keep.cigar = into
            keep.save(update_fields=["cigar", "updated_at"])
            _event(keep, actor=actor, note=note + folded)
            result.matches_folded += 1
            result.events_written += 1

        result.catalogue = cigar_merge_catalogue_rows(
            duplicate=duplicate, into=into, actor=actor, reason=note
        )
        try:
            cigar_delete(cigar=duplicate)
        except CigarInUse as exc:
            # A row written meanwhile (e.g. a matcher run) or a relation no app moved:
            # nothing is lost, the whole merge rolls back.
            raise MergeRefused(
                f"Cigar {duplicate.pk} is still referenced after the merge "
                f"({describe_references(exc.references)}); nothing was changed, try again."
            ) from exc
    return result
