"""Grow the catalogue from the official list: "create cigars from these entries".

The official list is the most complete record of what a country sells. For a selection of
entries (or a review group), ``bulk_create_rows`` proposes one cigar per product — brand,
line, vitola, dimensions and every pack the group's labels price — for the operator to
edit as a table before anything is written. ``cigars_create_from_rows`` then:

- refuses a row whose cigar already exists (same brand, line and vitola, or the same
  full name once normalised), naming the existing cigar;
- creates the others flagged ``needs_review`` (curation: made from a price list, not
  from a maker's record);
- accepts each against its entries through the decision services (``entry_repoint``,
  the whole group at once: one match event per entry, the label memory per label), with
  a note saying where the cigar came from;
- leaves a provenance record (``SourceRecord``) on the cigar: the publication it was read
  from, the entries and labels, and who created it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from catalogue.models import Brand, Cigar
from catalogue.naming import cigar_full_name, search_key
from catalogue.packages import PackageParseError, ParsedPackage, packaging_from_text, parse_packages
from catalogue.services import (
    brand_get_or_create,
    cigar_create,
    line_get_or_create,
    source_record_create,
)
from customs.models import CustomsPriceEntry
from matching.models import ReviewGroupMember
from matching.services.decisions import (
    DecisionConflict,
    decision_atomic,
    entry_create_cigar_initial,
    entry_repoint,
)
from matching.services.groups import group_members_refresh, group_settle_members

BULK_NOTE = "cigar created from the official list"
PROVENANCE_PARSER = "official-price-list"
PROVENANCE_VERSION = "1"
MAX_ROWS = 200


@dataclass
class BulkRow:
    """One proposed cigar: the fields the table shows, and the entries it would settle."""

    entry_id: int
    brand_name: str
    line_name: str
    vitola_name: str
    length_mm: Decimal | None
    ring_gauge: int | None
    #: "box:25; tube:3" (``catalogue.packages.parse_packages``'s list form).
    packages: str
    entry_ids: list[int] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    existing: Cigar | None = None

    def as_initial(self) -> dict:
        return {
            "entry_id": self.entry_id,
            "brand_name": self.brand_name,
            "line_name": self.line_name,
            "vitola_name": self.vitola_name,
            "length_mm": self.length_mm,
            "ring_gauge": self.ring_gauge,
            "packages": self.packages,
            "create": self.existing is None,
        }


def _package_of(entry: CustomsPriceEntry) -> str | None:
    if not entry.pack_size:
        return None
    packaging = packaging_from_text(entry.packaging) if entry.packaging else "box"
    return f"{'box' if packaging == 'other' else packaging}:{entry.pack_size}"


def existing_cigar(*, brand_name: str, line_name: str, vitola_name: str) -> Cigar | None:
    """The catalogue cigar these names already describe, if any."""
    brand = Brand.objects.filter(name__iexact=" ".join(brand_name.split())).first()
    if brand is not None:
        lines = brand.lines.filter(name__iexact=" ".join((line_name or brand.name).split()))
        same = Cigar.objects.filter(
            line__in=lines, vitola_name__iexact=" ".join(vitola_name.split())
        ).first()
        if same is not None:
            return same
        brand_name = brand.name
    full_name = cigar_full_name(brand=brand_name, line=line_name or brand_name, vitola=vitola_name)
    return Cigar.objects.filter(search_name=search_key(full_name)).first()


def bulk_create_rows(*, entry_ids: list[int]) -> list[BulkRow]:
    """One proposed cigar per product among ``entry_ids`` (their review groups)."""
    entries = list(
        CustomsPriceEntry.objects.filter(pk__in=entry_ids[: MAX_ROWS * 10])
        .select_related("publication__source")
        .order_by("publication__effective_date", "row_number", "pk")
    )
    group_members_refresh(entry_ids=[e.pk for e in entries])
    keys = dict(
        ReviewGroupMember.objects.filter(price_entry__in=entries).values_list(
            "price_entry_id", "group_key"
        )
    )
    products: OrderedDict[str, list[CustomsPriceEntry]] = OrderedDict()
    for entry in entries:
        products.setdefault(keys.get(entry.pk, f"entry:{entry.pk}"), []).append(entry)
    rows = []
    for members in list(products.values())[:MAX_ROWS]:
        first = members[0]
        initial = entry_create_cigar_initial(entry=first)
        packages = list(dict.fromkeys(p for p in map(_package_of, members) if p))
        row = BulkRow(
            entry_id=first.pk,
            brand_name=initial["brand_name"],
            line_name=initial["line_name"],
            vitola_name=initial["vitola_name"],
            length_mm=initial["length_mm"],
            ring_gauge=initial["ring_gauge"],
            packages="; ".join(packages),
            entry_ids=[m.pk for m in members],
            labels=list(dict.fromkeys(m.raw_label for m in members)),
        )
        if row.brand_name and row.vitola_name:
            row.existing = existing_cigar(
                brand_name=row.brand_name, line_name=row.line_name, vitola_name=row.vitola_name
            )
        rows.append(row)
    return rows


@dataclass
class BulkOutcome:
    created: list[tuple[Cigar, int]] = field(default_factory=list)  # (cigar, lines settled)
    refused: list[tuple[dict, str, Cigar | None]] = field(default_factory=list)


def _row_fields(row: dict) -> tuple[str, str, str, Decimal | None, int | None, list]:
    brand = " ".join(str(row.get("brand_name") or "").split())
    line = " ".join(str(row.get("line_name") or "").split())
    vitola = " ".join(str(row.get("vitola_name") or "").split())
    if not brand or not vitola:
        raise ValidationError("A brand and a vitola name are required.")
    try:
        length = Decimal(str(row["length_mm"])) if row.get("length_mm") not in (None, "") else None
    except InvalidOperation as exc:
        raise ValidationError("The length is not a number.") from exc
    ring = int(row["ring_gauge"]) if row.get("ring_gauge") not in (None, "") else None
    try:
        packages: list[ParsedPackage] = parse_packages(str(row.get("packages") or ""))
    except PackageParseError as exc:
        raise ValidationError(f"Packages: {exc}") from exc
    return brand, line, vitola, length, ring, packages


def _provenance(cigar: Cigar, entry: CustomsPriceEntry, entry_ids: list[int], actor) -> None:
    publication = entry.publication
    labels = list(
        CustomsPriceEntry.objects.filter(pk__in=entry_ids)
        .order_by("pk")
        .values_list("raw_label", flat=True)
        .distinct()
    )
    who = getattr(actor, "email", "") or "system"
    source_record_create(
        url=publication.url or f"{publication.source.slug}:{publication.external_id}",
        parser=PROVENANCE_PARSER,
        parser_version=PROVENANCE_VERSION,
        content_hash=publication.content_hash or "",
        cigar=cigar,
        notes=f"Created by {who} from {len(entry_ids)} line(s) of {publication}: "
        + "; ".join(labels)[:1500],
        stats={"entries": entry_ids, "publication": publication.pk},
    )


def cigars_create_from_rows(*, rows: list[dict], actor, note: str = "") -> BulkOutcome:
    """Create the cigars of the (edited) rows and accept each against its entries.

    Each row: ``entry_id`` (the entry the row was proposed from; its review group is
    settled with it), ``brand_name``, ``line_name``, ``vitola_name``, ``length_mm``,
    ``ring_gauge``, ``packages``. A row per transaction: a refused row (a duplicate, a
    decision taken meanwhile) leaves the others standing.
    """
    outcome = BulkOutcome()
    note = note or BULK_NOTE
    for row in rows[:MAX_ROWS]:
        try:
            brand_name, line_name, vitola, length, ring, packages = _row_fields(row)
        except (ValidationError, ValueError) as exc:
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            outcome.refused.append((row, reason, None))
            continue
        existing = existing_cigar(brand_name=brand_name, line_name=line_name, vitola_name=vitola)
        if existing is not None:
            outcome.refused.append(
                (row, f"already in the catalogue: {existing.full_name}", existing)
            )
            continue
        entry_id = str(row.get("entry_id") or "")
        entry = (
            CustomsPriceEntry.objects.filter(pk=int(entry_id)).first()
            if entry_id.isdigit()
            else None
        )
        if entry is None:
            outcome.refused.append((row, "the entry no longer exists", None))
            continue
        fields: dict[str, Any] = {"needs_review": True}
        if length is not None:
            fields["length_mm"] = length
        if ring is not None:
            fields["ring_gauge"] = ring
        try:
            with decision_atomic():
                brand, _ = brand_get_or_create(name=brand_name)
                line, _ = line_get_or_create(brand=brand, name=line_name)
                cigar = cigar_create(line=line, vitola_name=vitola, packages=packages, **fields)
                settled = group_settle_members(
                    entry=entry,
                    action="repoint",
                    cigar=cigar,
                    actor=actor,
                    note=note,
                    decide_entry=lambda entry=entry, cigar=cigar: entry_repoint(
                        entry=entry, cigar=cigar, actor=actor, note=note
                    ),
                )
                _provenance(cigar, entry, settled.settled, actor)
        except (ValidationError, DecisionConflict) as exc:
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            outcome.refused.append((row, reason, None))
            continue
        outcome.created.append((cigar, settled.lines))
    return outcome
