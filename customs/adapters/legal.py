"""What the two Journal officiel channels share: recognising the homologation arrêté,
reading its legal metadata, and feeding any embedded price table to the row parser."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import lxml.html

from customs.rows import (
    _FRENCH_DATE,
    ExtractedEntry,
    PriceTableReader,
    TableError,
    fold,
    parse_french_date,
)

PARIS = ZoneInfo("Europe/Paris")

# No NOR prefix is hard-coded (reference §2): the title is what identifies the arrêté.
_HOMOLOGATION = re.compile(
    r"homologation des prix de vente au detail des tabacs manufactures", re.IGNORECASE
)
_JO_NUMBER = re.compile(rf"JORF\s+n\s*°\s*(\d+)\s+du\s+{_FRENCH_DATE}", re.IGNORECASE)
_EFFECTIVE = re.compile(
    rf"(?:applicables?|en vigueur)\s+(?:au|le|a compter du|à compter du)\s+{_FRENCH_DATE}",
    re.IGNORECASE,
)
_ARRETE_DATE = re.compile(rf"arr[eê]t[eé]\s+du\s+{_FRENCH_DATE}", re.IGNORECASE)


def is_homologation_title(title: str) -> bool:
    return bool(_HOMOLOGATION.search(fold(title)))


def parse_jo(text: str) -> tuple[str, dt.date | None]:
    """``JORF n°0228 du 3 octobre 2026`` → ("0228", 2026-10-03)."""
    match = _JO_NUMBER.search(text or "")
    if not match:
        return "", None
    try:
        return match.group(1), parse_french_date(*match.group(2, 3, 4))
    except TableError:
        return match.group(1), None


def effective_date_in(text: str) -> dt.date | None:
    match = _EFFECTIVE.search(text or "")
    if not match:
        return None
    try:
        return parse_french_date(*match.group(1, 2, 3))
    except TableError:
        return None


def arrete_date_in(title: str) -> dt.date | None:
    match = _ARRETE_DATE.search(title or "")
    if not match:
        return None
    try:
        return parse_french_date(*match.group(1, 2, 3))
    except TableError:
        return None


def parse_any_date(value: object) -> dt.date | None:
    """ISO strings, or the epoch milliseconds Légifrance uses in some answers."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        # Midnight in Paris: reading the instant in UTC would give the day before.
        return dt.datetime.fromtimestamp(value / 1000, tz=PARIS).date()
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def html_table_rows(html: str) -> Iterator[list[object]]:
    """Rows of every table of an XHTML fragment; ``colspan`` cells are padded with None."""
    if not html or "<table" not in html.lower():
        return
    tree = lxml.html.fragment_fromstring(html, create_parent="div")
    for table in tree.iter("table"):
        for tr in table.iter("tr"):
            cells: list[object] = []
            for td in tr:
                if td.tag not in ("td", "th"):
                    continue
                cells.append(" ".join(td.text_content().split()) or None)
                span = td.get("colspan")
                if span and span.isdigit():
                    cells.extend([None] * (min(int(span), 6) - 1))
            yield cells


def entries_from_html(html_fragments: list[str], *, first_row: int = 0) -> list[ExtractedEntry]:
    """Cigar entries of the price tables in these fragments (the same state machine)."""
    rows: list[tuple[int, list[object]]] = []
    number = first_row
    for fragment in html_fragments:
        for cells in html_table_rows(fragment):
            rows.append((number, cells))
            number += 1
    if not rows:
        return []
    return PriceTableReader(require_edition_line=False).read(rows).entries


def dgddi_publication_for(effective_date: dt.date | None) -> int | None:
    """The DGDDI edition in force from the same date: the arrêté's price list."""
    from customs.selectors import publication_for_effective_date

    publication = publication_for_effective_date(
        source_slug="fr-douane-opendata", effective_date=effective_date
    )
    return publication.pk if publication else None
