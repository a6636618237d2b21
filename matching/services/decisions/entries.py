"""Decisions on an entry as a whole: re-point it to a cigar, mark it "not in the
catalogue", create the cigar it names."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.actors import Actor, recorded_user
from catalogue.models import AliasKind, Cigar, CigarAlias
from catalogue.packages import ParsedPackage, packaging_from_text
from catalogue.services import brand_get_or_create, cigar_create, line_get_or_create
from customs.models import CustomsPriceEntry
from matching.models import CigarCustomsMatch, MatchStatus
from matching.services.decisions._core import (
    NOT_IN_CATALOGUE_NOTE,
    DecisionConflict,
    _alias_accept,
    _alias_reject,
    _best_row,
    _check_entry_expected,
    _check_no_other_human_accept,
    _demote_other_automatic,
    _locked_entry,
    _locked_rows,
    _pair_row,
    _set_status,
    _source_slug,
    _state_decided,
    decision_atomic,
)


def entry_repoint(
    *,
    entry: CustomsPriceEntry,
    cigar: Cigar,
    actor: Actor,
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


def entry_mark_not_in_catalogue(
    *,
    entry: CustomsPriceEntry,
    actor: Actor,
    note: str = "",
    expected_updated_at: dt.datetime | None = None,
) -> None:
    """The catalogue holds no cigar for this label (remembered per source and label).

    ``expected_updated_at`` is the entry's best row's, as the reviewer saw it: checked under
    the entry lock, so a decision taken meanwhile (an accept, a re-point) is never
    overwritten. Without it, an entry a human already accepted is refused all the same.
    """
    with decision_atomic():
        entry = _locked_entry(entry)
        rows = _locked_rows(entry)
        _check_entry_expected(rows, expected_updated_at)
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
            defaults={"created_by": recorded_user(actor), "note": note},
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
    actor: Actor,
    brand_name: str,
    line_name: str = "",
    vitola_name: str,
    pack_size: int | None = None,
    note: str = "",
    expected_updated_at: dt.datetime | None = None,
    **cigar_fields: Any,
) -> CigarCustomsMatch:
    """Create the cigar the label names, then accept the entry against it (re-point).

    ``expected_updated_at``: as for ``entry_repoint`` (the best row as the reviewer saw it);
    checked under the entry lock, taken before the cigar is created, so a stale request
    creates nothing.
    """
    if not brand_name.strip() or not vitola_name.strip():
        raise ValidationError("A brand and a vitola name are required.")
    packaging_text = cigar_fields.pop("packaging", "") or ""
    with decision_atomic():
        # Lock and check first: a refused decision must not leave a new cigar behind (the
        # transaction rolls back either way, but the check is cheaper than the writes).
        _check_entry_expected(_locked_rows(_locked_entry(entry)), expected_updated_at)
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
            entry=entry,
            cigar=cigar,
            actor=actor,
            note=note or "cigar created from this entry",
            expected_updated_at=expected_updated_at,
        )
