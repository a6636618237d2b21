"""Reading one label: pack size, packaging, edition words, dimension hints (§5.4, §5.7)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from cigarspace.text.dimensions import MM_PER_INCH, UNICODE_FRACTIONS, normalise_fractions
from customs.labels.names import fold_accents, normalise_name

_SPACES = re.compile(r"\s+")

# --- Pack size ----------------------------------------------------------------------------

# A word for "cigars" with the typos seen in real files (cigare, ciagres, cigares, cigarillos).
_CIGAR_WORD = r"c[a-z]{0,3}g?[a-z]*?r[a-z]*"
_BOXES = r"(?:bo[iî]tes?|[ée]tuis?|coffrets?|tubes?|paquets?|cabinets?|tins?)"
# "en 5 boîtes de 5 cigares": the priced unit is one box, so the pack size is the inner count.
_EN_BOXES_OF = re.compile(
    rf"\ben\s*(?P<outer>\d+)\s*{_BOXES}\s+de\s+(?P<n>\d+)\s*(?:{_CIGAR_WORD})?\b", re.IGNORECASE
)
# "en boîte de 18 cigares"
_EN_BOX_OF = re.compile(rf"\ben\s+{_BOXES}\s+de\s+(?P<n>\d+)\s*(?:{_CIGAR_WORD})?\b", re.IGNORECASE)
# "en 25 cigares", "en 22cigares", "en 10 ciagres", "en 20 cigare", "en 3"
_EN_N = re.compile(
    rf"\ben\s*(?P<n>\d+)(?!\s*[xX\u00d7/,.]\s*\d)\s*(?:{_CIGAR_WORD})?\b", re.IGNORECASE
)
# ", 3 cigares" without "en" — the cigar word is then required, so ", N° 9" never matches.
_COMMA_N = re.compile(rf",\s*(?P<n>\d+)\s*(?:{_CIGAR_WORD})s?\s*$", re.IGNORECASE)
# "coffret de 14" as the priced pack when no "en N" exists.
_BOX_OF_N = re.compile(rf"\b{_BOXES}\s+de\s+(?P<n>\d+)\b(?!\s*(?:x|\u00d7))", re.IGNORECASE)
_PARENS = re.compile(r"\(([^()]*)\)")

_PACKAGING_WORDS = {
    "tube": ("tube", "tubo", "tubos", "tubes"),
    "coffret": ("coffret", "coffrets"),
    "boîte métal": ("boite metal", "boîte métal", "boite en metal"),
    "boîte": ("boite", "boîte", "boites", "boîtes", "box"),
    "étui": ("etui", "étui", "etuis", "étuis"),
    "alu": ("alu", "aluminium"),
    "tin": ("tin", "tins"),
    "cabinet": ("cabinet",),
    "cèdre": ("cedre", "cèdre", "cedro"),
    "humidor": ("humidor",),
    "jarre": ("jarre", "jar"),
}


# Compiled once: the words folded like the text they are searched in.
_PACKAGING_PATTERNS = [
    (
        canonical,
        re.compile(
            r"\b(?:" + "|".join(re.escape(fold_accents(w).casefold()) for w in words) + r")\b"
        ),
    )
    for canonical, words in _PACKAGING_WORDS.items()
]
_COUNTS = re.compile(r"(\d+)\s+\w+\s+(?:\w+\s+)?de\s+(\d+)")


# --- Edition words and dimensions ---------------------------------------------------------

_EDITION_PATTERNS = [
    re.compile(r"\b[EÉ]dition\s+Limit[ée]e(?:\s+\d{4})?", re.IGNORECASE),
    re.compile(r"\bLimited\s+Edition(?:\s+\d{4})?", re.IGNORECASE),
    re.compile(r"\b[EÉ]dition\s+R[ée]gionale(?:\s+[A-Z][\w]*)?", re.IGNORECASE),
    re.compile(r"\bRegional\s+Edition(?:\s+[A-Z][\w]*)?", re.IGNORECASE),
    re.compile(r"(?<![\w.])E\.\s?L\.(?:\s+\d{4})?"),
    re.compile(r"(?<![\w.])E\.\s?R\.(?:\s+\d{4})?"),
    re.compile(r"\bGran\s+Reserva(?:\s+Cosecha)?(?:\s+\d{4})?", re.IGNORECASE),
    re.compile(r"\bReserva(?:\s+Cosecha)?\s+\d{4}", re.IGNORECASE),
    re.compile(r"\ba[ñn]o\s+(?:chino|del\s+\w+)", re.IGNORECASE),
    re.compile(r"\bann[ée]e\s+du\s+\w+", re.IGNORECASE),
    re.compile(r"\bColecci[óo]n\s+Habanos(?:\s+\d{4})?", re.IGNORECASE),
]

# "50 x 5", "6 x 52", "50 X 61/2" (6 1/2 inches), "152 x 52", "5,5 x 50".
# Unicode fractions ("5¼") as the kernel grammar reads them (shared with shop pages).
_NUMBER = rf"\d+(?:[.,]\d+)?(?:\s*\d/\d|\s?[{''.join(UNICODE_FRACTIONS)}])?"
_DIMENSION = re.compile(rf"(?<![\w/])(?P<a>{_NUMBER})\s*[xX\u00d7]\s*(?P<b>{_NUMBER})(?![\w/])")
RING_RANGE = (26, 80)
INCH_RANGE = (Decimal("2.5"), Decimal("12"))
MM_RANGE = (Decimal("75"), Decimal("330"))


@dataclass(frozen=True)
class DimensionHint:
    """Dimensions printed in a label: hints for matching, never authoritative."""

    text: str
    ring_gauge: int | None
    length_mm: Decimal | None
    length_inches: Decimal | None

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "ring_gauge": self.ring_gauge,
            "length_mm": str(self.length_mm) if self.length_mm is not None else None,
            "length_inches": str(self.length_inches) if self.length_inches is not None else None,
        }


def _dimension_number(token: str) -> Decimal:
    token = normalise_fractions(token).replace(",", ".").strip()
    match = re.fullmatch(r"(\d+?)\s*(\d)/(\d)", token) if "/" in token else None
    if match:
        return Decimal(match.group(1)) + Decimal(match.group(2)) / Decimal(match.group(3))
    return Decimal(token)


def _as_length(value: Decimal) -> tuple[Decimal, Decimal | None] | None:
    """(mm, inches) when the value reads as a length, by range."""
    if INCH_RANGE[0] <= value <= INCH_RANGE[1]:
        return (value * MM_PER_INCH).quantize(Decimal("0.1")), value
    if MM_RANGE[0] <= value <= MM_RANGE[1]:
        return value.quantize(Decimal("0.1")), None
    return None


def _is_ring(value: Decimal) -> bool:
    return value == value.to_integral_value() and RING_RANGE[0] <= value <= RING_RANGE[1]


def parse_dimensions(text: str) -> list[DimensionHint]:
    """Every ``A x B`` pair that reads as a ring gauge (26-80) and a length (in or mm)."""
    hints = []
    for match in _DIMENSION.finditer(text):
        try:
            a, b = _dimension_number(match.group("a")), _dimension_number(match.group("b"))
        except (InvalidOperation, ValueError):
            continue
        # Prefer "ring x length" when both readings exist ("50 x 5"); else "length x ring".
        for ring, length in ((a, b), (b, a)):
            as_length = _as_length(length)
            if _is_ring(ring) and as_length is not None:
                length_mm, inches = as_length
                hints.append(
                    DimensionHint(
                        text=match.group(0),
                        ring_gauge=int(ring),
                        length_mm=length_mm,
                        length_inches=inches,
                    )
                )
                break
    return hints


# --- The label ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedLabel:
    raw: str
    #: The label without its pack clause and parenthesised packaging: brand + line + vitola.
    name: str
    normalised: str
    pack_size: int | None
    #: How the pack size was read: "en_n", "en_boxes_of", "en_box_of", "comma_n", "box_of".
    pack_rule: str | None = None
    #: "en 5 boîtes de 5 cigares": 5 boxes in the outer case, the priced unit is one box.
    outer_count: int | None = None
    #: The parenthesised texts, verbatim ("tube - 5 étuis de 3").
    packaging: tuple[str, ...] = ()
    #: Canonical packaging words found in them (tube, coffret, boîte métal, étui…).
    packaging_attributes: tuple[str, ...] = ()
    #: "5 étuis de 3" → (5, 3): cases per box and cigars per case.
    packaging_counts: tuple[tuple[int, int], ...] = ()
    editions: tuple[str, ...] = ()
    dimensions: tuple[DimensionHint, ...] = field(default_factory=tuple)

    @property
    def packaging_text(self) -> str:
        return "; ".join(self.packaging)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "pack_rule": self.pack_rule,
            "outer_count": self.outer_count,
            "packaging": list(self.packaging),
            "packaging_attributes": list(self.packaging_attributes),
            "packaging_counts": [list(c) for c in self.packaging_counts],
            "editions": list(self.editions),
            "dimensions": [d.as_dict() for d in self.dimensions],
        }


def _clean_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _packaging_attributes(groups: list[str]) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    attributes: list[str] = []
    counts: list[tuple[int, int]] = []
    for group in groups:
        folded = fold_accents(group).casefold()
        for canonical, pattern in _PACKAGING_PATTERNS:
            if canonical not in attributes and pattern.search(folded):
                attributes.append(canonical)
        for outer, inner in _COUNTS.findall(folded):
            counts.append((int(outer), int(inner)))
    # "boîte métal" already says "boîte".
    if "boîte métal" in attributes and "boîte" in attributes:
        attributes.remove("boîte")
    return tuple(attributes), tuple(counts)


def _find_pack(outside: str) -> tuple[int | None, str | None, int | None, re.Match | None]:
    """The pack clause in the label text outside parentheses: the *last* one wins."""
    candidates: list[tuple[int, int, str, int | None, re.Match]] = []
    for rule, pattern in (("en_boxes_of", _EN_BOXES_OF), ("en_box_of", _EN_BOX_OF)):
        for m in pattern.finditer(outside):
            outer = int(m.group("outer")) if "outer" in pattern.groupindex else None
            candidates.append((m.start(), m.end(), rule, outer, m))
    covered = [(c[0], c[1]) for c in candidates]
    for m in _EN_N.finditer(outside):
        if any(start <= m.start() < end for start, end in covered):
            continue
        candidates.append((m.start(), m.end(), "en_n", None, m))
    if candidates:
        _start, _end, rule, outer, match = max(candidates, key=lambda c: c[0])
        return int(match.group("n")), rule, outer, match
    match = _COMMA_N.search(outside)
    if match:
        return int(match.group("n")), "comma_n", None, match
    boxes = list(_BOX_OF_N.finditer(outside))
    if boxes:
        match = boxes[-1]
        return int(match.group("n")), "box_of", None, match
    return None, None, None, None


def _edition_words(text: str) -> tuple[str, ...]:
    """Edition words in reading order; a phrase inside a longer one counts once."""
    spans: list[tuple[int, int]] = []
    for pattern in _EDITION_PATTERNS:
        for m in pattern.finditer(text):
            if not any(start <= m.start() and m.end() <= end for start, end in spans):
                spans.append((m.start(), m.end()))
    return tuple(_clean_spaces(text[start:end]) for start, end in sorted(spans))


def parse_label(raw: str) -> ParsedLabel:
    """Read a price-list label (see the module docstring and customs-formats.md §1/§5)."""
    text = _clean_spaces(str(raw or ""))
    groups = [_clean_spaces(g) for g in _PARENS.findall(text)]
    # Pack clauses are read outside parentheses: "(5 étuis de 3), en 3 cigares" prices 3.
    outside = _PARENS.sub(lambda m: " " * len(m.group(0)), text)
    pack_size, rule, outer, match = _find_pack(outside)

    # A parenthesised "coffret de 14" is the priced pack when nothing outside says otherwise.
    if pack_size is None:
        for group in reversed(groups):
            inner = _BOX_OF_N.search(group)
            if inner and not re.search(r"\d+\s+\w+\s+de\s+\d+", group):
                pack_size, rule = int(inner.group("n")), "box_of"
                break

    name = outside
    if match is not None and rule != "box_of":
        name = outside[: match.start()] + outside[match.end() :]
    name = _clean_spaces(name)
    # Leftover separators where the pack clause or the parentheses were: "Cohiba Robustos ,".
    name = re.sub(r"\s+([,;])", r"\1", name)
    name = re.sub(r"^[\s,;:\-]+|[\s,;:\-\u2013\u2014]+$", "", name)
    name = re.sub(r",\s*,", ",", name)

    attributes, counts = _packaging_attributes(groups)
    editions = _edition_words(text)
    if pack_size == 0:
        pack_size = None
    return ParsedLabel(
        raw=str(raw or ""),
        name=name,
        normalised=normalise_name(name),
        pack_size=pack_size,
        pack_rule=rule if pack_size is not None else None,
        outer_count=outer,
        packaging=tuple(groups),
        packaging_attributes=attributes,
        packaging_counts=counts,
        editions=editions,
        dimensions=tuple(parse_dimensions(text)),
    )
