"""The shared steps of every decision: locking, version checks, status changes with their
events, the label memory (``CigarAlias``) and the matcher's per-entry state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction

from accounts.actors import Actor, recorded_user
from catalogue.models import AliasKind, Cigar, CigarAlias
from customs.labels import parse_label
from customs.models import CustomsPriceEntry
from matching.models import (
    ACCEPTED_STATUSES,
    HUMAN_STATUSES,
    CigarCustomsMatch,
    EntryMatchState,
    MatchEvent,
    MatchMethod,
    MatchStatus,
)
from matching.services.learning import learn_from_decision
from matching.services.writes import lock_entries
from matching.signals import entry_linked

NOT_IN_CATALOGUE_NOTE = "not in the catalogue"


class DecisionConflict(Exception):
    """The row changed since the reviewer loaded it, or someone else already decided."""


def decision_atomic():
    """A durable transaction, unless the caller already holds one (then a savepoint)."""
    if connection.in_atomic_block:
        return transaction.atomic()
    return transaction.atomic(durable=True)


# --- helpers --------------------------------------------------------------------------------


def _source_slug(entry: CustomsPriceEntry) -> str:
    return entry.publication.source.slug


def _locked_entry(entry: CustomsPriceEntry) -> CustomsPriceEntry:
    lock_entries([entry.pk])
    return CustomsPriceEntry.objects.select_related("publication__source").get(pk=entry.pk)


def _locked_rows(entry: CustomsPriceEntry) -> list[CigarCustomsMatch]:
    return list(
        CigarCustomsMatch.objects.select_for_update()
        .filter(price_entry_id=entry.pk)
        .order_by("rank", "-score", "pk")
    )


def _locked_match(
    match: CigarCustomsMatch, expected_updated_at: dt.datetime | None
) -> tuple[CustomsPriceEntry, list[CigarCustomsMatch], CigarCustomsMatch]:
    """Lock the match's entry, then its rows; the row must still be as the reviewer saw it.

    Returns the entry, all its rows (best first) and the locked copy of ``match``.
    """
    entry = _locked_entry(match.price_entry)
    rows = _locked_rows(entry)
    row = next((r for r in rows if r.pk == match.pk), None)
    if row is None:
        raise DecisionConflict(f"Match {match.pk} no longer exists.")
    _check_expected(row, expected_updated_at)
    return entry, rows, row


def _check_expected(row: CigarCustomsMatch, expected_updated_at: dt.datetime | None) -> None:
    if expected_updated_at is not None and row.updated_at != expected_updated_at:
        raise DecisionConflict(
            f"Match {row.pk} changed since it was loaded (now {row.status}); reload it."
        )
    if expected_updated_at is None and row.status in HUMAN_STATUSES:
        who = row.decided_by or "another reviewer"
        raise DecisionConflict(f"Match {row.pk} was already decided ({row.status}) by {who}.")


def _set_status(
    row: CigarCustomsMatch, status: str, *, actor: Actor, note: str, human: bool, now: dt.datetime
) -> None:
    previous = row.status
    row.status = status
    fields = ["status", "updated_at"]
    if human:
        row.decided_by = recorded_user(actor)
        row.decided_at = now
        row.note = note
        fields += ["decided_by", "decided_at", "note"]
    row.save(update_fields=[*fields, "rank"])
    if human and status in HUMAN_STATUSES and previous != status:
        # What the decision teaches beyond the exact label (matching.services.learning),
        # in the same transaction as the decision itself.
        learn_from_decision(row=row, accepted=status == MatchStatus.HUMAN_ACCEPTED, actor=actor)
    if human and status == MatchStatus.HUMAN_ACCEPTED and previous != status:
        entry_id, cigar_id = row.price_entry_id, row.cigar_id
        transaction.on_commit(
            lambda: entry_linked.send(
                sender=CigarCustomsMatch, entry_id=entry_id, cigar_id=cigar_id
            )
        )
    if previous != status:
        MatchEvent.objects.create(
            match=row,
            actor=recorded_user(actor),
            from_status=previous,
            to_status=status,
            score=row.score,
            note=note,
        )


def _alias_accept(entry: CustomsPriceEntry, *, cigar_id: int, actor: Actor, note: str) -> None:
    # One resolution per label: the accepted cigar replaces "not in the catalogue" or an
    # earlier accepted cigar, and the pair is no longer a rejected one.
    slug, label = _source_slug(entry), entry.normalised_label
    CigarAlias.objects.filter(
        source_slug=slug, normalised_label=label, kind__in=[AliasKind.NOT_IN_CATALOGUE]
    ).delete()
    CigarAlias.objects.filter(
        source_slug=slug, normalised_label=label, kind=AliasKind.REJECTED, cigar_id=cigar_id
    ).delete()
    CigarAlias.objects.update_or_create(
        source_slug=slug,
        normalised_label=label,
        kind=AliasKind.ACCEPTED,
        defaults={"cigar_id": cigar_id, "created_by": recorded_user(actor), "note": note},
    )


def _alias_reject(entry: CustomsPriceEntry, *, cigar_id: int, actor: Actor, note: str) -> None:
    slug, label = _source_slug(entry), entry.normalised_label
    CigarAlias.objects.filter(
        source_slug=slug, normalised_label=label, kind=AliasKind.ACCEPTED, cigar_id=cigar_id
    ).delete()
    CigarAlias.objects.get_or_create(
        source_slug=slug,
        normalised_label=label,
        kind=AliasKind.REJECTED,
        cigar_id=cigar_id,
        defaults={"created_by": recorded_user(actor), "note": note},
    )


def _demote_other_automatic(rows, keep: CigarCustomsMatch, *, actor: Actor, note: str, now) -> None:
    """Other candidates of the entry stop being proposed once a human chose one."""
    for other in rows:
        if other.pk != keep.pk and other.status in (
            MatchStatus.AUTO_ACCEPTED,
            MatchStatus.PENDING_REVIEW,
        ):
            other.rank = max(other.rank, 2)
            _set_status(
                other, MatchStatus.AUTO_REJECTED, actor=actor, note=note, human=False, now=now
            )


def _check_no_other_human_accept(rows, keep_pk: int | None, *, allow_pk: int | None = None) -> None:
    for other in rows:
        if other.pk not in (keep_pk, allow_pk) and other.status == MatchStatus.HUMAN_ACCEPTED:
            raise DecisionConflict(
                f"Entry {other.price_entry_id} already has a cigar accepted by a human "
                f"(match {other.pk}); re-point it instead."
            )


def _state_decided(entry: CustomsPriceEntry, outcome: str, now) -> None:
    EntryMatchState.objects.update_or_create(
        price_entry_id=entry.pk,
        defaults={
            "label_key": parse_label(entry.new_label or entry.raw_label).normalised,
            "outcome": outcome,
            "scored_at": now,
        },
    )


def _best_row(rows: list[CigarCustomsMatch]) -> CigarCustomsMatch | None:
    accepted = [r for r in rows if r.status in ACCEPTED_STATUSES]
    if accepted:
        return accepted[0]
    return next((r for r in rows if r.rank == 1), rows[0] if rows else None)


def _check_entry_expected(
    rows: list[CigarCustomsMatch], expected_updated_at: dt.datetime | None
) -> CigarCustomsMatch | None:
    """An entry-level decision: the entry's best row must still be the one the reviewer saw.

    ``expected_updated_at`` is that row's ``updated_at`` as loaded; checked here, under the
    entry lock, so that a decision landing between the reviewer's read and this one loses
    instead of being overwritten. Returns the best row.
    """
    best = _best_row(rows)
    if expected_updated_at is not None and (best is None or best.updated_at != expected_updated_at):
        now = f" (now {best.status})" if best is not None else ""
        raise DecisionConflict(
            f"The entry's best match changed since it was loaded{now}; reload it and decide again."
        )
    return best


def _pair_row(entry: CustomsPriceEntry, cigar: Cigar, rows) -> CigarCustomsMatch:
    existing = next((r for r in rows if r.cigar_id == cigar.pk), None)
    if existing is not None:
        return existing
    from matching.selectors import pair_score

    pair = pair_score(entry=entry, cigar=cigar)
    return CigarCustomsMatch.objects.create(
        cigar=cigar,
        price_entry=entry,
        match_method=MatchMethod.HUMAN,
        score=Decimal(str(pair.score)).quantize(Decimal("0.001")),
        signals={
            **pair.signals,
            "constraints": pair.constraints,
            "evidence": pair.evidence.as_dict(),
        },
        status=MatchStatus.AUTO_REJECTED,
        rank=len(rows) + 1,
    )
