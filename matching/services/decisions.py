"""Human decisions on matches: the one service the admin, the API and tests all call.

Every decision:

- runs in one durable transaction (``transaction.atomic(durable=True)`` when the caller is
  not already in one), so that its effects and its audit rows commit together or not at
  all, and never inside someone else's larger transaction;
- locks the entry first, then its match rows (the matcher takes the same entry lock, so a
  run and a reviewer serialise per entry);
- checks the expected state: a row that changed since the reviewer loaded it
  (``expected_updated_at``) or that another reviewer already decided raises
  ``DecisionConflict`` instead of overwriting that decision;
- writes one ``MatchEvent`` per status change and maintains the label memory
  (``CigarAlias``): accept → accepted alias; reject → rejected pair; "not in the
  catalogue" → not_in_catalogue; re-point → the chosen row HUMAN_ACCEPTED and the
  previous best HUMAN_REJECTED.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from catalogue.models import AliasKind, Cigar, CigarAlias
from catalogue.packages import ParsedPackage, packaging_from_text
from catalogue.services import brand_get_or_create, cigar_create, line_get_or_create
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
    row: CigarCustomsMatch, status: str, *, actor, note: str, human: bool, now: dt.datetime
) -> None:
    previous = row.status
    row.status = status
    fields = ["status", "updated_at"]
    if human:
        row.decided_by = actor if getattr(actor, "pk", None) else None
        row.decided_at = now
        row.note = note
        fields += ["decided_by", "decided_at", "note"]
    row.save(update_fields=[*fields, "rank"])
    if human and status in HUMAN_STATUSES and previous != status:
        learn_from_decision(row=row, accepted=status == MatchStatus.HUMAN_ACCEPTED, actor=actor)
    if previous != status:
        MatchEvent.objects.create(
            match=row,
            actor=actor if getattr(actor, "pk", None) else None,
            from_status=previous,
            to_status=status,
            score=row.score,
            note=note,
        )


def _alias_accept(entry: CustomsPriceEntry, *, cigar_id: int, actor, note: str) -> None:
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
        defaults={"cigar_id": cigar_id, "created_by": _user(actor), "note": note},
    )


def _alias_reject(entry: CustomsPriceEntry, *, cigar_id: int, actor, note: str) -> None:
    slug, label = _source_slug(entry), entry.normalised_label
    CigarAlias.objects.filter(
        source_slug=slug, normalised_label=label, kind=AliasKind.ACCEPTED, cigar_id=cigar_id
    ).delete()
    CigarAlias.objects.get_or_create(
        source_slug=slug,
        normalised_label=label,
        kind=AliasKind.REJECTED,
        cigar_id=cigar_id,
        defaults={"created_by": _user(actor), "note": note},
    )


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _demote_other_automatic(rows, keep: CigarCustomsMatch, *, actor, note: str, now) -> None:
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


# --- decisions --------------------------------------------------------------------------------


def match_accept(
    *,
    match: CigarCustomsMatch,
    actor,
    note: str = "",
    expected_updated_at: dt.datetime | None = None,
) -> CigarCustomsMatch:
    """HUMAN_ACCEPTED; the entry's other proposals stop; the label becomes an alias."""
    with decision_atomic():
        entry, rows, row = _locked_match(match, expected_updated_at)
        _check_no_other_human_accept(rows, row.pk)
        now = timezone.now()
        # Demote first: "one accepted per entry" holds at every statement.
        _demote_other_automatic(rows, row, actor=actor, note=note, now=now)
        row.rank = 1
        _set_status(row, MatchStatus.HUMAN_ACCEPTED, actor=actor, note=note, human=True, now=now)
        _alias_accept(entry, cigar_id=row.cigar_id, actor=actor, note=note)
        _state_decided(entry, "human_accepted", now)
    return row


def match_reject(
    *,
    match: CigarCustomsMatch,
    actor,
    note: str = "",
    expected_updated_at: dt.datetime | None = None,
) -> CigarCustomsMatch:
    """HUMAN_REJECTED; the (label, cigar) pair is never proposed again."""
    with decision_atomic():
        entry, _rows, row = _locked_match(match, expected_updated_at)
        now = timezone.now()
        _set_status(row, MatchStatus.HUMAN_REJECTED, actor=actor, note=note, human=True, now=now)
        _alias_reject(entry, cigar_id=row.cigar_id, actor=actor, note=note)
        _state_decided(entry, "human_rejected", now)
    return row


def _best_row(rows: list[CigarCustomsMatch]) -> CigarCustomsMatch | None:
    accepted = [r for r in rows if r.status in ACCEPTED_STATUSES]
    if accepted:
        return accepted[0]
    return next((r for r in rows if r.rank == 1), rows[0] if rows else None)


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


def entry_repoint(
    *,
    entry: CustomsPriceEntry,
    cigar: Cigar,
    actor,
    note: str = "",
    expected_updated_at: dt.datetime | None = None,
) -> CigarCustomsMatch:
    """The entry is ``cigar``: that row HUMAN_ACCEPTED, the previous best HUMAN_REJECTED.

    ``expected_updated_at`` is the previous best row's, as the reviewer saw it.
    """
    with decision_atomic():
        entry = _locked_entry(entry)
        rows = _locked_rows(entry)
        previous = _best_row(rows)
        if (
            previous is not None
            and expected_updated_at is not None
            and previous.updated_at != expected_updated_at
        ):
            raise DecisionConflict(
                f"The entry's best match {previous.pk} changed since it was loaded; reload."
            )
        chosen = _pair_row(entry, cigar, rows)
        if chosen.status == MatchStatus.HUMAN_REJECTED and expected_updated_at is None:
            raise DecisionConflict(f"{cigar} was rejected for this label by a reviewer.")
        allow = previous.pk if previous is not None and expected_updated_at is not None else None
        _check_no_other_human_accept(rows, chosen.pk, allow_pk=allow)
        now = timezone.now()
        if previous is not None and previous.pk != chosen.pk:
            previous.rank = max(previous.rank, 2) if previous.rank == 1 else previous.rank
            _set_status(
                previous, MatchStatus.HUMAN_REJECTED, actor=actor, note=note, human=True, now=now
            )
            _alias_reject(entry, cigar_id=previous.cigar_id, actor=actor, note=note)
        _demote_other_automatic(
            [r for r in rows if previous is None or r.pk != previous.pk],
            chosen,
            actor=actor,
            note=note,
            now=now,
        )
        chosen.rank = 1
        _set_status(chosen, MatchStatus.HUMAN_ACCEPTED, actor=actor, note=note, human=True, now=now)
        _alias_accept(entry, cigar_id=cigar.pk, actor=actor, note=note)
        _state_decided(entry, "human_accepted", now)
    return chosen


def entry_mark_not_in_catalogue(*, entry: CustomsPriceEntry, actor, note: str = "") -> None:
    """The catalogue holds no cigar for this label (remembered per source and label)."""
    with decision_atomic():
        entry = _locked_entry(entry)
        rows = _locked_rows(entry)
        _check_no_other_human_accept(rows, None)
        now = timezone.now()
        note = note or NOT_IN_CATALOGUE_NOTE
        for row in rows:
            if row.status in (MatchStatus.AUTO_ACCEPTED, MatchStatus.PENDING_REVIEW):
                _set_status(
                    row, MatchStatus.HUMAN_REJECTED, actor=actor, note=note, human=True, now=now
                )
        slug = _source_slug(entry)
        CigarAlias.objects.filter(
            source_slug=slug, normalised_label=entry.normalised_label, kind=AliasKind.ACCEPTED
        ).delete()
        alias, created = CigarAlias.objects.get_or_create(
            source_slug=slug,
            normalised_label=entry.normalised_label,
            kind=AliasKind.NOT_IN_CATALOGUE,
            defaults={"created_by": _user(actor), "note": note},
        )
        if not created:
            # Marked again (after a reopening): cigars added before now no longer reopen it.
            CigarAlias.objects.filter(pk=alias.pk).update(created_at=now, note=note)
        _state_decided(entry, "not_in_catalogue", now)


def entry_create_cigar_initial(*, entry: CustomsPriceEntry) -> dict:
    """Form values prefilled from the label: brand, line, vitola, pack, dimensions."""
    from matching.selectors import label_analysis

    analysis = label_analysis(entry=entry)
    parsed = analysis.parsed
    name_words = parsed.name.split()
    brand_name = ""
    if analysis.brand_id is not None:
        brand_name = analysis.brand_name
        # Drop as many leading words of the label as the brand has tokens.
        name_words = name_words[len(analysis.brand_tokens) :]
    elif name_words:
        brand_name, name_words = name_words[0], name_words[1:]
    dimension = parsed.dimensions[0] if parsed.dimensions else None
    vitola = " ".join(name_words)
    for edition in parsed.editions:
        vitola = vitola.replace(edition, "").strip()
    if dimension is not None:
        vitola = vitola.replace(dimension.text, "").strip()
    return {
        "brand_name": brand_name,
        "line_name": "",
        "vitola_name": vitola.strip(" ,-"),
        "pack_size": entry.pack_size,
        "packaging": entry.packaging,
        "ring_gauge": dimension.ring_gauge if dimension else None,
        "length_mm": dimension.length_mm if dimension else None,
    }


def entry_create_cigar(
    *,
    entry: CustomsPriceEntry,
    actor,
    brand_name: str,
    line_name: str,
    vitola_name: str,
    pack_size: int | None = None,
    note: str = "",
    **cigar_fields: Any,
) -> CigarCustomsMatch:
    """Create the cigar the label names, then accept the entry against it (re-point)."""
    if not brand_name.strip() or not vitola_name.strip():
        raise ValidationError("A brand and a vitola name are required.")
    packaging_text = cigar_fields.pop("packaging", "") or ""
    with decision_atomic():
        brand, _ = brand_get_or_create(name=brand_name)
        line, _ = line_get_or_create(brand=brand, name=line_name)
        packages = None
        if pack_size:
            packaging = packaging_from_text(packaging_text) if packaging_text else "box"
            if packaging == "other":
                packaging = "box"
            packages = [ParsedPackage(int(pack_size), packaging, "from a customs price list")]
        with contextlib.suppress(KeyError):
            if cigar_fields["length_mm"] is None:
                cigar_fields.pop("length_mm")
        with contextlib.suppress(KeyError):
            if cigar_fields["ring_gauge"] is None:
                cigar_fields.pop("ring_gauge")
        cigar = cigar_create(line=line, vitola_name=vitola_name, packages=packages, **cigar_fields)
        return entry_repoint(
            entry=entry, cigar=cigar, actor=actor, note=note or "cigar created from this entry"
        )
