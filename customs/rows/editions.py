"""The edition line of a price table (« Arrêté du …, applicable au … ») and the text helpers
every part of the reader shares."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from customs.labels import fold_accents

MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
_FRENCH_DATE = r"(\d{1,2})(?:er)?\s+([a-zéèûôA-ZÉÈÛÔ]+)\s+(\d{4})"
EDITION_LINE = re.compile(
    rf"arr[eê]t[eé]\s+du\s+{_FRENCH_DATE}\s*,?\s*(?:applicables?|en\s+vigueur)\s+"
    rf"(?:au|le|[àa]\s+compter\s+du)\s+"
    rf"{_FRENCH_DATE}",
    re.IGNORECASE,
)


class TableError(ValueError):
    """The table does not have the expected layout (the publication fails at parse)."""


def fold(text: object) -> str:
    return re.sub(r"\s+", " ", fold_accents(str(text)).casefold()).strip()


def parse_french_date(day: str, month: str, year: str) -> dt.date:
    number = MONTHS.get(fold(month))
    if number is None:
        raise TableError(f"Unknown month {month!r}.")
    return dt.date(int(year), number, int(day))


@dataclass(frozen=True)
class EditionLine:
    text: str
    arrete_date: dt.date
    effective_date: dt.date


def parse_edition_line(text: str) -> EditionLine | None:
    """``Arrêté du 29 septembre 2026, applicable au 1er novembre 2026`` → both dates."""
    match = EDITION_LINE.search(str(text))
    if not match:
        return None
    return EditionLine(
        text=re.sub(r"\s+", " ", str(text)).strip(),
        arrete_date=parse_french_date(*match.group(1, 2, 3)),
        effective_date=parse_french_date(*match.group(4, 5, 6)),
    )
