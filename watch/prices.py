"""Reads of official prices by date: in force on a day, upcoming, the whole tariff.

An edition applies from its effective date; until then the previous one is in force. For a
cigar, a source and a pack size, the price in force on day D is the one of the latest
ingested edition effective on or before D that lists it (through an accepted match); a
withdrawn line means no price in force. A change an operator marked a source error is
skipped: the previous price stays in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from customs.models import ChangeKind, CustomsPriceEntry, CustomsSource, PublicationStatus
from matching.models import ACCEPTED_STATUSES, CigarCustomsMatch
from watch.models import SuspectStatus


def _accepted_matches() -> QuerySet[CigarCustomsMatch]:
    return (
        CigarCustomsMatch.objects.filter(
            status__in=ACCEPTED_STATUSES,
            price_entry__publication__status=PublicationStatus.INGESTED,
            price_entry__publication__duplicate_of__isnull=True,
            price_entry__publication__effective_date__isnull=False,
        )
        .exclude(price_entry__suspect_change__status=SuspectStatus.SOURCE_ERROR)
        .select_related("cigar", "price_entry__publication__source")
    )


@dataclass
class PricePoint:
    cigar_id: int
    cigar: str
    source: str
    pack_size: int | None
    packaging: str
    currency: str
    unit_price: object
    pack_price: object
    effective_date: dt.date
    publication_id: int
    entry_id: int
    label: str
    is_withdrawn: bool

    @classmethod
    def of(cls, match: CigarCustomsMatch) -> PricePoint:
        entry: CustomsPriceEntry = match.price_entry
        publication = entry.publication
        return cls(
            cigar_id=match.cigar_id,
            cigar=match.cigar.full_name,
            source=publication.source.slug,
            pack_size=entry.pack_size,
            packaging=entry.packaging,
            currency=entry.currency_code,
            unit_price=entry.unit_price,
            pack_price=entry.pack_price,
            effective_date=publication.effective_date,
            publication_id=publication.pk,
            entry_id=entry.pk,
            label=entry.new_label or entry.raw_label,
            is_withdrawn=entry.is_withdrawn,
        )


def _latest_per_pack(matches: QuerySet[CigarCustomsMatch]) -> QuerySet[CigarCustomsMatch]:
    # DISTINCT ON (cigar, source, pack): the newest edition first within each.
    return matches.order_by(
        "cigar_id",
        "price_entry__publication__source_id",
        "price_entry__pack_size",
        "-price_entry__publication__effective_date",
        "-price_entry__publication_id",
    ).distinct("cigar_id", "price_entry__publication__source_id", "price_entry__pack_size")


def prices_in_force(
    *, on: dt.date, source: CustomsSource | None = None, cigar_id: int | None = None
) -> list[PricePoint]:
    """Every (cigar, source, pack) price in force on ``on``, withdrawn lines left out."""
    matches = _accepted_matches().filter(price_entry__publication__effective_date__lte=on)
    if source is not None:
        matches = matches.filter(price_entry__publication__source=source)
    if cigar_id is not None:
        matches = matches.filter(cigar_id=cigar_id)
    points = [PricePoint.of(m) for m in _latest_per_pack(matches)]
    return sorted(
        (p for p in points if not p.is_withdrawn),
        key=lambda p: (p.cigar, p.source, p.pack_size or 0),
    )


def prices_upcoming(
    *, today: dt.date, source: CustomsSource | None = None, cigar_id: int | None = None
) -> list[dict]:
    """Changes published but not yet in force: each with the price in force today."""
    matches = _accepted_matches().filter(
        price_entry__publication__effective_date__gt=today,
        price_entry__change_kind__in=[
            ChangeKind.CHANGED,
            ChangeKind.NEW,
            ChangeKind.RENAMED,
            ChangeKind.WITHDRAWN,
        ],
    )
    if source is not None:
        matches = matches.filter(price_entry__publication__source=source)
    if cigar_id is not None:
        matches = matches.filter(cigar_id=cigar_id)
    upcoming = [
        PricePoint.of(m)
        for m in matches.order_by(
            "price_entry__publication__effective_date", "cigar__full_name", "price_entry_id"
        )
    ]
    if not upcoming:
        return []
    current = {
        (p.cigar_id, p.source, p.pack_size): p
        for p in prices_in_force(on=today, source=source, cigar_id=cigar_id)
    }
    return [
        {
            "upcoming": point,
            "in_force": current.get((point.cigar_id, point.source, point.pack_size)),
        }
        for point in upcoming
    ]


def cigar_prices_now_and_next(*, cigar_id: int, today: dt.date) -> dict:
    """The price in force today and the ones that apply from a later date, for one cigar."""
    return {
        "date": today,
        "in_force": prices_in_force(on=today, cigar_id=cigar_id),
        "upcoming": [item["upcoming"] for item in prices_upcoming(today=today, cigar_id=cigar_id)],
    }


def source_editions(*, source: CustomsSource):
    """The source's ingested editions with a date, newest first."""
    return (
        source.publications.filter(status=PublicationStatus.INGESTED, duplicate_of__isnull=True)
        .filter(~Q(effective_date=None))
        .order_by("-effective_date", "-pk")
    )
