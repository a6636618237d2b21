"""Reads for comparing one cigar's official prices across countries.

For each catalogue cigar with an accepted price line in one of the asked countries: the
latest per-cigar price in each country, its date, and the difference with the first
country asked. The rules (docs/spain.md, "Across countries"):

- a country's price is the one of its latest effective date, whichever of its sources
  published it (Spain: the CMT list or a BOE resolution);
- on that date, the lowest per-cigar price among the cigar's presentations (a box price
  is usually below the tube or pack one, and the catalogue cigar is the same);
- a list with zones is compared in its main zone (Spain: Península e Illes Balears);
- withdrawn lines and lines without a per-cigar price are left out;
- a difference is only computed between prices in the same currency (no exchange rates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from customs.rows.spanish import MAIN_ZONE
from customs.sources import citation_for
from matching.models import ACCEPTED_STATUSES, CigarCustomsMatch

#: The zone a country's prices are compared in, when its lists have several.
MAIN_ZONES: dict[str, str] = {"ES": MAIN_ZONE}
DEFAULT_COUNTRIES = ("FR", "ES")


@dataclass
class CountryPrice:
    country: str
    unit_price: Decimal
    currency: str
    effective_date: dt.date
    source: str
    zone: str
    label: str
    pack_size: int | None
    entry_id: int
    citation: str = ""


@dataclass
class CigarComparison:
    cigar_id: int
    cigar: str
    brand: str
    line: str
    prices: dict[str, CountryPrice] = field(default_factory=dict)

    def differences(self, countries: list[str]) -> list[dict]:
        """Each other country against the first one asked: amount and percent."""
        base = self.prices.get(countries[0]) if countries else None
        rows = []
        for country in countries[1:]:
            other = self.prices.get(country)
            amount = percent = None
            if base is not None and other is not None and base.currency == other.currency:
                amount = other.unit_price - base.unit_price
                if base.unit_price:
                    percent = (amount / base.unit_price * 100).quantize(
                        Decimal("0.1"), rounding=ROUND_HALF_UP
                    )
            rows.append(
                {"country": country, "versus": countries[0], "amount": amount, "percent": percent}
            )
        return rows


def _zone_filter(countries: list[str]) -> Q:
    condition = Q()
    for country in countries:
        zone = MAIN_ZONES.get(country)
        allowed = Q(price_entry__zone="") | Q(price_entry__zone=zone) if zone else Q()
        condition |= Q(price_entry__publication__source__country=country) & allowed
    return condition


def price_comparison(
    *,
    countries: list[str],
    brand: str | None = None,
    line: str | None = None,
    priced_in_all: bool = False,
) -> list[CigarComparison]:
    """The comparison rows, ordered by brand, line and cigar name."""
    rows = (
        CigarCustomsMatch.objects.filter(
            status__in=ACCEPTED_STATUSES,
            price_entry__publication__source__country__in=countries,
            price_entry__is_withdrawn=False,
            price_entry__unit_price__isnull=False,
            price_entry__publication__effective_date__isnull=False,
        )
        .filter(_zone_filter(countries))
        .values_list(
            "cigar_id",
            "cigar__full_name",
            "cigar__line__brand__name",
            "cigar__line__name",
            "price_entry__publication__source__country",
            "price_entry__publication__source__slug",
            "price_entry__publication__source__citation",
            "price_entry__publication__effective_date",
            "price_entry__zone",
            "price_entry__unit_price",
            "price_entry__currency_code",
            "price_entry__raw_label",
            "price_entry__new_label",
            "price_entry__pack_size",
            "price_entry_id",
        )
    )
    if brand:
        rows = rows.filter(
            Q(cigar__line__brand__name__iexact=brand) | Q(cigar__line__brand__slug__iexact=brand)
        )
    if line:
        rows = rows.filter(Q(cigar__line__name__iexact=line) | Q(cigar__line__slug__iexact=line))
    # One row per (cigar, country), chosen by PostgreSQL (DISTINCT ON): the latest date, then
    # the lowest per-cigar price, then the first entry. Years of weekly snapshots stay in
    # the database instead of crossing into Python.
    country_field = "price_entry__publication__source__country"
    rows = rows.order_by(
        "cigar_id",
        country_field,
        "-price_entry__publication__effective_date",
        "price_entry__unit_price",
        "price_entry_id",
    ).distinct("cigar_id", country_field)

    cigars: dict[int, CigarComparison] = {}
    for (
        cigar_id, full_name, brand_name, line_name, country, slug, citation, day, zone,
        unit, currency, raw_label, new_label, pack_size, entry_id,
    ) in rows.iterator():  # fmt: skip
        item = cigars.setdefault(
            cigar_id, CigarComparison(cigar_id, full_name, brand_name, line_name)
        )
        candidate = CountryPrice(
            country, unit, currency, day, slug, zone, new_label or raw_label, pack_size, entry_id,
            citation_for(citation, day),
        )  # fmt: skip
        item.prices[country] = candidate
    result = [
        item
        for item in cigars.values()
        if not priced_in_all or all(country in item.prices for country in countries)
    ]
    return sorted(
        result, key=lambda c: (c.brand.casefold(), c.line.casefold(), c.cigar, c.cigar_id)
    )


def comparison_citations(rows: list[CigarComparison]) -> list[str]:
    """The distinct citations the shown prices require (one per source and data date)."""
    return sorted({p.citation for row in rows for p in row.prices.values() if p.citation})
