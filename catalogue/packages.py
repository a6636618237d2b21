"""Parse the ``packages`` column of a catalogue import into pack sizes and packagings.

Two forms are accepted (docs/catalogue-import.md):

- sizes separated by ``;`` or ``,``: ``10;25`` → two boxes (box is the default packaging),
  optionally with a packaging word: ``box:25;tube:3``;
- free text, one sentence per package, as reference sites write it:
  ``Dress Box of 25 cigars. Cardboard Pack of 3 cigars in aluminium tubes (released 2003).``
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalogue.models import Packaging

MAX_PACK_SIZE = 10_000

# Container words, checked in this order; tubed cigars are told apart whatever holds them
# because price lists sell them as a separate product ("en tubes", "Tubos").
_PACKAGING_WORDS: tuple[tuple[str, str], ...] = (
    (r"\btub(?:e|es|o|os)\b", Packaging.TUBE),
    (r"\bcabinet\b|\bcaj[oó]n\b", Packaging.CABINET),
    (r"\btins?\b|\blata\b", Packaging.TIN),
    (r"\bjars?\b|\btarro\b", Packaging.JAR),
    (r"\bhumidor\b", Packaging.HUMIDOR),
    (r"\bbox(?:es)?\b|\bbo[iî]te\b|\bcaja\b|\bcoffret\b", Packaging.BOX),
    (r"\bpacks?\b|\bpaquete\b|\bcarton\b|\b[eé]tui\b", Packaging.PACK),
    (r"\bbundles?\b|\bmazo\b", Packaging.BUNDLE),
    (r"\bsingles?\b|\bunit[eé]?\b", Packaging.SINGLE),
)
_SIZE_AFTER_OF = re.compile(r"\bof\s+(\d{1,5})\b", re.I)
_SIZE_BEFORE_CIGARS = re.compile(r"\b(\d{1,5})\s+(?:[a-z]+\s+){0,2}cigars?\b", re.I)
_SIZE_LIST = re.compile(
    r"^\s*(?:[a-z]+\s*:\s*)?\d{1,5}(?:\s*[;,]\s*(?:[a-z]+\s*:\s*)?\d{1,5})*\s*$", re.I
)


class PackageParseError(ValueError):
    pass


@dataclass(frozen=True)
class ParsedPackage:
    pack_size: int
    packaging: str
    description: str = ""


def packaging_from_text(text: str) -> str:
    lowered = text.casefold()
    for pattern, packaging in _PACKAGING_WORDS:
        if re.search(pattern, lowered):
            return str(packaging)
    return str(Packaging.OTHER)


def _check_size(size: int, source: str) -> int:
    if not 0 < size <= MAX_PACK_SIZE:
        raise PackageParseError(f"pack size {size} in {source!r} is not between 1 and 10000")
    return size


def parse_packages(text: str) -> list[ParsedPackage]:
    """Packages of one cigar, merged by (packaging, size) in their first order."""
    text = (text or "").strip()
    if not text:
        return []
    found: list[ParsedPackage] = []
    if _SIZE_LIST.match(text):
        for item in re.split(r"[;,]", text):
            kind, _, size = item.strip().rpartition(":")
            packaging = str(Packaging.BOX)
            if kind:
                kind = kind.strip().lower()
                if kind not in Packaging.values:
                    raise PackageParseError(
                        f"unknown packaging {kind!r} (one of {', '.join(Packaging.values)})"
                    )
                packaging = kind
            found.append(ParsedPackage(_check_size(int(size), item), packaging))
    else:
        # A sentence ends at ". " followed by a capital, not at "No.2" or "c.2003".
        for sentence in re.split(r"(?<=[.;])\s+(?=[A-Z])", text):
            sentence = sentence.strip().rstrip(".;").strip()
            if not sentence:
                continue
            # Release notes in brackets ("(5000 boxes released)") are not packages.
            description = re.sub(r"\s*\([^)]*\)", "", sentence).strip()
            match = _SIZE_AFTER_OF.search(description) or _SIZE_BEFORE_CIGARS.search(description)
            if match is None:
                raise PackageParseError(f"no pack size in {sentence!r}")
            size = int(match.group(1))
            found.append(
                ParsedPackage(
                    _check_size(size, sentence), packaging_from_text(sentence), description
                )
            )
    merged: dict[tuple[str, int], ParsedPackage] = {}
    for package in found:
        key = (package.packaging, package.pack_size)
        if key in merged:
            # "Dress Box of 25" and "Slide Lid Box of 25" are one (box, 25) package.
            previous = merged[key]
            description = "; ".join(d for d in (previous.description, package.description) if d)
            merged[key] = ParsedPackage(package.pack_size, package.packaging, description[:255])
        else:
            merged[key] = ParsedPackage(
                package.pack_size, package.packaging, package.description[:255]
            )
    return list(merged.values())
