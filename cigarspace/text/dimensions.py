"""Cigar sizes in free text: ring by length in either order, inches with ASCII or unicode
fractions, mm and cm, and the labelled rows of specification tables in English, German,
French, Spanish and Italian.

    "56 X 5¼"                  → ring 56, 133.4 mm (5.25 in)
    "5 1/4 x 54", "50 x 7"     → 133.4 mm by 54, 177.8 mm by 50
    "Length 4.02 inches / 10.21 cm … Ring 40"
    "Ringmaß 48, Länge (mm) 158", "Longueur 155 mm, Cepo 52"

A size phrase is never a pack: ``size_spans`` gives the spans a pack reader must skip
("50 x 7" is not seven cigars).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MM_PER_INCH = Decimal("25.4")
LENGTH_MM_RANGE = (Decimal(40), Decimal(600))
RING_RANGE = (20, 100)
# A length written without a unit: below this it is in inches ("5 x 50"), else mm.
INCH_CEILING = Decimal(13)

UNICODE_FRACTIONS = {
    "¼": "1/4",
    "½": "1/2",
    "¾": "3/4",
    "⅛": "1/8",
    "⅜": "3/8",
    "⅝": "5/8",
    "⅞": "7/8",
    "⅓": "1/3",
    "⅔": "2/3",
}
_UNICODE_FRACTION = re.compile(r"(\d?)\s*([" + "".join(UNICODE_FRACTIONS) + r"])")


def normalise_fractions(text: str) -> str:
    """ "5¼" → "5 1/4", "5-1/4" → "5 1/4", "5\u20448" (fraction slash) → "5/8", "″" → '"'."""
    text = (text or "").replace("\u2044", "/").replace("\u2033", '"').replace("\u201d", '"')

    def unicode_fraction(match: re.Match) -> str:
        whole, fraction = match.group(1), UNICODE_FRACTIONS[match.group(2)]
        return f"{whole} {fraction}" if whole else fraction

    text = _UNICODE_FRACTION.sub(unicode_fraction, text)
    return re.sub(r"(\d)-(\d{1,2}/\d{1,2})\b", r"\1 \2", text)


def fold(text: str) -> str:
    """Lower case without accents (the kernel cannot use ``catalogue.naming.fold``)."""
    decomposed = unicodedata.normalize("NFKD", (text or "").replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_NUMBER = r"\d+(?:[.,]\d+)?(?:\s\d{1,2}/\d{1,2})?|\d{1,2}/\d{1,2}"
_INCH_UNIT = r"\"|''|in(?:ch(?:es)?)?\b\.?|zoll\b|pouces?\b|pulgadas?\b|pollici\b"
_UNIT = rf"mm\b|cm\b|{_INCH_UNIT}"
_PAIR = re.compile(
    rf"(?<![\w/.,])(?P<a>{_NUMBER})\s*(?P<a_unit>{_UNIT})?\s*[xX*\u00d7]\s*"
    rf"(?P<b>{_NUMBER})\s*(?P<b_unit>{_UNIT})?(?![\w/])",
    re.I,
)


def parse_number(text: str) -> Decimal:
    """ "6", "6.5", "6,5", "6 1/8", "1/2" as a Decimal (``ValueError`` otherwise)."""
    text = normalise_fractions(text).strip()
    whole, _, fraction = text.partition(" ")
    try:
        if "/" in whole and not fraction:
            numerator, denominator = whole.split("/")
            return Decimal(numerator) / Decimal(denominator)
        value = Decimal(whole.replace(",", "."))
        if fraction:
            numerator, denominator = fraction.split("/")
            value += Decimal(numerator) / Decimal(denominator)
    except (InvalidOperation, ZeroDivisionError, ValueError):
        raise ValueError(f"not a number: {text!r}") from None
    return value


def unit_of(text: str | None) -> str:
    """ "mm", "cm", "in" or "" for a unit as written."""
    word = fold(text or "").strip().strip(".")
    if word in ("mm", "cm"):
        return word
    if word and re.fullmatch(_INCH_UNIT, word, re.I):
        return "in"
    if word in ('"', "''", "inches", "inch", "in"):
        return "in"
    return ""


def to_mm(value: Decimal, unit: str) -> Decimal:
    if unit == "cm":
        value *= 10
    elif unit == "in":
        value *= MM_PER_INCH
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def plausible_length(mm: Decimal) -> bool:
    return LENGTH_MM_RANGE[0] <= mm <= LENGTH_MM_RANGE[1]


def plausible_ring(value: Decimal) -> bool:
    return RING_RANGE[0] <= value <= RING_RANGE[1] and value == value.to_integral_value()


@dataclass(frozen=True)
class Size:
    length_mm: Decimal | None = None
    ring_gauge: int | None = None


@dataclass(frozen=True)
class SizeMatch:
    size: Size
    start: int
    end: int
    text: str


def _pair_size(a: Decimal, a_unit: str, b: Decimal, b_unit: str) -> Size | None:
    # Either number may be the length. A unit written once ("50 x 124 mm") applies to
    # the length; without any unit a length below 13 is in inches ("5 x 50"), else mm.
    # "56 x 5 1/4" and "5 1/4 x 56": the ring gauge is the whole number in 20-100.
    for length, own_unit, other_unit, ring in ((b, b_unit, a_unit, a), (a, a_unit, b_unit, b)):
        unit = own_unit or other_unit or ("in" if length < INCH_CEILING else "mm")
        if unit == "in" and length >= INCH_CEILING:
            continue
        mm = to_mm(length, unit)
        if plausible_length(mm) and plausible_ring(ring):
            return Size(mm, int(ring))
    return None


def find_sizes(text: str) -> list[SizeMatch]:
    """Every ring by length (or length by ring) pair that reads as a cigar size, with its span
    in ``normalise_fractions(text)``."""
    text = normalise_fractions(text)
    found = []
    for match in _PAIR.finditer(text):
        try:
            a, b = parse_number(match["a"]), parse_number(match["b"])
        except ValueError:
            continue
        size = _pair_size(a, unit_of(match["a_unit"]), b, unit_of(match["b_unit"]))
        if size is not None:
            found.append(SizeMatch(size, match.start(), match.end(), match.group(0)))
    return found


def mask_sizes(text: str) -> str:
    """``text`` (fractions normalised) with its size phrases blanked: what a pack reader
    may look at."""
    text = normalise_fractions(text)
    for match in reversed(find_sizes(text)):
        text = text[: match.start] + " " * (match.end - match.start) + text[match.end :]
    return text


# --- specification tables -----------------------------------------------------------------

# Label words (folded) by field, in the order they are tried: "ring" before "length"
# ("Ring gauge") and "dimensions" before both ("Size (ring x length)").
SPEC_LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "dimensions",
        (
            "dimension",
            "abmessung",
            "format",
            "size",
            "grosse",
            "taille",
            "vitola",
            "medida",
            "misura",
        ),
    ),
    (
        "ring_gauge",
        (
            "ring",
            "cepo",
            "diametre",
            "diametro",
            "durchmesser",
            "gauge",
            "anillo",
            "calibre",
            "module",
        ),
    ),
    ("length", ("length", "lange", "laenge", "longueur", "largo", "longitud", "lunghezza")),
)
_SPEC_IN_TEXT = re.compile(
    r"(?P<label>ring(?:\s*gauge)?|ringma(?:ss|ß)|ringmass|cepo|diam[eè]tre|di[aá]metro|"
    r"durchmesser|gauge|anillo|calibre|module|length|l[aä]nge|laenge|longueur|largo|"
    r"longitud|lunghezza)\s*(?:\((?P<label_unit>mm|cm|in(?:ch(?:es)?)?|zoll)\))?\s*[:=\-]?\s*"
    rf"(?P<value>{_NUMBER})\s*(?P<unit>{_UNIT})?",
    re.I,
)


def spec_field(label: str) -> str | None:
    """Which size field a specification label names: "dimensions", "ring_gauge",
    "length" or None ("Ringmaß" → ring_gauge, "Länge (mm)" → length)."""
    folded = fold(label)
    for field_name, words in SPEC_LABELS:
        if any(word in folded for word in words):
            return field_name
    return None


def _label_unit(label: str) -> str:
    match = re.search(r"\(([^)]*)\)|\[([^\]]*)\]|\bin\s+(mm|cm|inches|zoll)\b", fold(label))
    if not match:
        return ""
    return unit_of(next(g for g in match.groups() if g).strip())


def length_from(value: str, *, label: str = "") -> Decimal | None:
    """A length in mm from a spec value: "4.02 inches / 10.21 cm", "158", "6¼\"", "15,5 cm".
    A unit in the label ("Länge (mm)") applies; a bare number below 13 is in inches."""
    text = normalise_fractions(value)
    for match in re.finditer(rf"(?P<v>{_NUMBER})\s*(?P<u>{_UNIT})?", text, re.I):
        try:
            number = parse_number(match["v"])
        except ValueError:
            continue
        unit = unit_of(match["u"]) or _label_unit(label)
        unit = unit or ("in" if number < INCH_CEILING else "mm")
        mm = to_mm(number, unit)
        if plausible_length(mm):
            return mm
    return None


def ring_from(value: str, *, label: str = "") -> int | None:
    """A ring gauge from a spec value: "48", "Ring 52", or a diameter "19,05 mm" (64ths of
    an inch: 48)."""
    text = normalise_fractions(value)
    for match in re.finditer(rf"(?P<v>{_NUMBER})\s*(?P<u>mm|cm)?\b", text, re.I):
        try:
            number = parse_number(match["v"])
        except ValueError:
            continue
        unit = (match["u"] or _label_unit(label) or "").lower()
        if unit in ("mm", "cm"):
            mm = number * (10 if unit == "cm" else 1)
            number = (mm * 64 / MM_PER_INCH).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if plausible_ring(number):
            return int(number)
    return None


def size_from_spec(label: str, value: str) -> Size:
    """The size a specification row gives ("Ringmaß" / "48", "Size" / "5 1/4 x 54")."""
    kind = spec_field(label)
    if kind is None:
        return Size()
    # A pair says both, whatever the label ("Ring x Length" / "50 x 124").
    if kind == "dimensions" or find_sizes(value):
        return parse_size(value)
    if kind == "length":
        return Size(length_from(value, label=label), None)
    if kind == "ring_gauge":
        return Size(None, ring_from(value, label=label))
    return Size()


def parse_size(text: str) -> Size:
    """The size a text states: a ring by length pair first, else labelled values
    ("Ringmaß 48, Länge (mm) 158", "Longueur 155 mm, Cepo 52")."""
    text = normalise_fractions(text or "")
    pairs = find_sizes(text)
    if pairs:
        return pairs[0].size
    length = ring = None
    for match in _SPEC_IN_TEXT.finditer(text):
        label = match["label"] + (f" ({match['label_unit']})" if match["label_unit"] else "")
        value = match["value"] + (f" {match['unit']}" if match["unit"] else "")
        size = size_from_spec(label, value)
        length = length or size.length_mm
        ring = ring or size.ring_gauge
    return Size(length, ring)
