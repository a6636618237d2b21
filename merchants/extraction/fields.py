"""Field parsers for what shops write in free text: sizes, prices, packs, availability.

Pure functions, no database. Pack parsing builds on ``catalogue.packages`` (its packaging
words already know "boîte", "étui", "coffret") and adds the French and shop forms the
catalogue import never sees: "Boîte de 10", "Étui de 3", "Coffret 25 cigares",
"à l'unité", "x25".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from price_parser import Price

from catalogue.models import Packaging
from catalogue.naming import fold
from catalogue.packages import MAX_PACK_SIZE, PackageParseError, packaging_from_text, parse_packages

MM_PER_INCH = Decimal("25.4")

CURRENCY_SYMBOLS = {
    "€": "EUR",
    "EUR": "EUR",
    "EURO": "EUR",
    "EUROS": "EUR",
    "£": "GBP",
    "GBP": "GBP",
    "CHF": "CHF",
    "FR.": "CHF",
    "SFR": "CHF",
    "$": "USD",
    "US$": "USD",
    "USD": "USD",
    "CA$": "CAD",
    "CAD": "CAD",
}


# --- sizes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    length_mm: Decimal | None = None
    ring_gauge: int | None = None


_NUMBER = r"\d+(?:[.,]\d+)?(?:\s+\d/\d+)?"
_PAIR = re.compile(
    rf"(?P<a>{_NUMBER})\s*(?P<a_unit>mm|cm|\"|''|in(?:ch(?:es)?)?)?\s*[xX*\u00d7]\s*"
    rf"(?P<b>{_NUMBER})\s*(?P<b_unit>mm|cm|\"|''|in(?:ch(?:es)?)?)?",
)
_LENGTH_LABEL = re.compile(
    rf"(?:length|longueur|largo|long\.?)\s*[:=]?\s*(?P<v>{_NUMBER})\s*(?P<u>mm|cm|\"|in)?", re.I
)
_RING_LABEL = re.compile(
    r"(?:ring(?:\s*gauge)?|cepo|diam[eè]tre|module|gauge)\s*[:=]?\s*(?P<v>\d{2,3})\b", re.I
)


def _number(text: str) -> Decimal:
    """ "6", "6.5", "6,5", "6 1/8" as a Decimal."""
    text = text.strip()
    whole, _, fraction = text.partition(" ")
    value = Decimal(whole.replace(",", "."))
    if fraction:
        numerator, denominator = fraction.split("/")
        value += Decimal(numerator) / Decimal(denominator)
    return value


def _to_mm(value: Decimal, unit: str | None) -> Decimal:
    unit = (unit or "").lower()
    if unit == "cm":
        value = value * 10
    elif unit in ('"', "''") or unit.startswith("in"):
        value = value * MM_PER_INCH
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _plausible_length(mm: Decimal) -> bool:
    return Decimal(40) <= mm <= Decimal(600)


def _plausible_ring(value: Decimal) -> bool:
    return Decimal(20) <= value <= Decimal(100) and value == value.to_integral_value()


def parse_size(text: str) -> Size:
    """Length and ring gauge from "50 x 124 mm", "124 x 50", "5 x 50", "6 1/8" x 52",
    "Longueur : 124 mm, Cepo : 50"… A pair is read by plausibility: a length in inches is
    below 12, a ring gauge between 20 and 100, a length in mm above 100 or with "mm"."""
    text = text or ""
    for match in _PAIR.finditer(text):
        a, b = _number(match["a"]), _number(match["b"])
        a_unit, b_unit = match["a_unit"], match["b_unit"]
        size = _size_from_pair(a, a_unit, b, b_unit)
        if size is not None:
            return size
    length = ring = None
    if m := _LENGTH_LABEL.search(text):
        value, unit = _number(m["v"]), m["u"]
        if unit is None and value < 13:
            unit = "in"
        mm = _to_mm(value, unit)
        length = mm if _plausible_length(mm) else None
    if m := _RING_LABEL.search(text):
        value = Decimal(m["v"])
        ring = int(value) if _plausible_ring(value) else None
    return Size(length, ring)


def _size_from_pair(a: Decimal, a_unit: str | None, b: Decimal, b_unit: str | None) -> Size | None:
    # Either number may be the length. A unit written once ("50 x 124 mm") applies to
    # both; without any unit, a length below 13 is in inches ("5 x 50"), else in mm.
    for length, own_unit, other_unit, ring in ((a, a_unit, b_unit, b), (b, b_unit, a_unit, a)):
        unit = own_unit or other_unit or ("in" if length < 13 else "mm")
        mm = _to_mm(length, unit)
        if _plausible_length(mm) and _plausible_ring(ring):
            return Size(mm, int(ring))
    return None


# --- prices -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str | None


def parse_money(value: object, *, currency_hint: str | None = None) -> Money | None:
    """A price from "1 234,50 €", "€12.50", "CHF 15.00", 812.5 or "812.50"."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        amount = Decimal(str(value))
        currency = None
    else:
        text = " ".join(str(value).split())
        # A machine value ("812.50" in a schema.org price) is never a thousands separator.
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            amount, currency = Decimal(text), None
        else:
            parsed = Price.fromstring(text, decimal_separator=_decimal_separator(text))
            if parsed.amount is None:
                return None
            amount, currency = parsed.amount, parsed.currency
    if amount < 0 or amount >= Decimal("1e10"):
        return None
    iso = _currency_code(currency) or _currency_code(currency_hint)
    return Money(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), iso)


def _decimal_separator(text: str) -> str | None:
    # "1 234,50 €" and "12,50": a comma followed by exactly two digits at the end of the
    # number is a decimal comma (French shops); price-parser guesses otherwise for "1,234".
    if re.search(r"\d,\d{2}(?!\d)", text) and not re.search(r"\d\.\d{2}(?!\d)", text):
        return ","
    return None


def _currency_code(text: str | None) -> str | None:
    if not text:
        return None
    key = text.strip().upper()
    if re.fullmatch(r"[A-Z]{3}", key) and key not in ("FR.",):
        return key
    return CURRENCY_SYMBOLS.get(key)


# --- availability -------------------------------------------------------------------------

_UNAVAILABLE = ("outofstock", "discontinued", "soldout", "backorder", "preorder", "rupture")


def parse_availability(value: object) -> bool | None:
    """schema.org availability (``https://schema.org/InStock``…) or a shop's words."""
    if value in (None, ""):
        return None
    text = re.sub(r"[^a-z]", "", fold(str(value)).rsplit("/", 1)[-1])
    return not any(word in text for word in (*_UNAVAILABLE, "epuise", "indisponible"))


# --- packs --------------------------------------------------------------------------------

_OF_N = re.compile(r"\b(?:of|de|d'|du|x|par)\s*(\d{1,5})\b", re.I)
_N_CIGARS = re.compile(
    r"\b(\d{1,5})\s*(?:x\s*)?(?:cigares?|cigars?|cigarros?|pcs|pi[eè]ces?)\b", re.I
)
_X_N = re.compile(r"(?:^|\s)x\s?(\d{1,5})\b|\b(\d{1,5})\s?x(?:\s|$)", re.I)
_SINGLE = re.compile(
    r"\b(?:[àa]\s+l['\u2019]unit[eé]|unit[eé]|single|per\s+cigar|la\s+pi[eè]ce)\b", re.I
)


@dataclass(frozen=True)
class Pack:
    pack_size: int
    packaging: str
    label: str


def parse_pack(label: str) -> Pack | None:
    """A pack from a variant label: "Box of 25", "Boîte de 10", "Étui de 3", "x25",
    "Coffret 25 cigares", "À l'unité". ``None`` when the label names no pack."""
    label = " ".join((label or "").split())
    if not label:
        return None
    if _SINGLE.search(label):
        return Pack(1, str(Packaging.SINGLE), label)
    for pattern in (_OF_N, _N_CIGARS, _X_N):
        match = pattern.search(label)
        if match:
            size = int(next(g for g in match.groups() if g))
            if 0 < size <= MAX_PACK_SIZE:
                # "Box of 25 (tubed)": the catalogue's words know "tubes", not "tubed".
                packaging = packaging_from_text(re.sub(r"(?i)\btubed\b", "tubes", label))
                if packaging == Packaging.OTHER:
                    packaging = str(Packaging.SINGLE if size == 1 else Packaging.BOX)
                return Pack(size, packaging, label)
    try:
        parsed = parse_packages(label)
    except PackageParseError:
        return None
    return Pack(parsed[0].pack_size, parsed[0].packaging, label) if parsed else None


_PACK_TEXT = re.compile(
    r"\s*[-\u2013\u2014,(|]?\s*(?:(?:bo[iî]te|box|[eé]tui|coffret|cabinet|pack|tubos?|tubes?|"
    r"cardboard|carton)\s+(?:of|de|d['\u2019])\s*\d{1,5}(?:\s*(?:cigares?|cigars?))?|"
    r"\d{1,5}\s*(?:cigares?|cigars?)|[àa]\s+l['\u2019]unit[eé])\s*\)?",
    re.I,
)
_SIZE_TEXT = re.compile(rf"\s*[-\u2013\u2014,(|]?\s*{_PAIR.pattern}\s*\)?", re.I)


def clean_product_name(name: str) -> str:
    """A product title without its pack and size ("Cohiba Robustos - Boîte de 25" →
    "Cohiba Robustos"): the numbers left are the name's own (Siglo VI, No.2, BHK 52)."""
    name = _PACK_TEXT.sub(" ", name or "")
    name = _SIZE_TEXT.sub(" ", name)
    return " ".join(name.split()).strip(" -,|\u2013\u2014")
