"""Resolve a merchant product to a catalogue cigar, or say that none fits.

Candidates come from the catalogue's cigar search (trigram and vector k-nearest, fused),
the selector the matcher builds on too; the crawler never imports the matching app.
A candidate is accepted only when all of these agree:

- brand: the product's brand (or a brand its title names) is the cigar's brand;
- name numbers: the numbers of the names are the same multiset once Roman numerals are
  read ("Siglo VI" = "siglo 6" ≠ "Siglo IV"; "No.2" ≠ "No.4"; "BHK 52" ≠ "BHK 54");
- size: when both sides state one, lengths within 3 mm and ring gauges within 1;
- words: the names without brand and numbers are close (rapidfuzz token-set ratio).

Nothing that fits → the caller creates a cigar flagged ``needs_review``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz import fuzz

from catalogue.models import Brand, Cigar
from catalogue.naming import fold, search_key
from catalogue.search import brands_named_in, cigar_search

LENGTH_TOLERANCE_MM = Decimal("3")
RING_TOLERANCE = 1
WORD_SIMILARITY_FLOOR = 85.0
STRICT_SIMILARITY_FLOOR = 70.0
CANDIDATES = 15


@dataclass(frozen=True)
class Resolution:
    cigar: Cigar | None
    reason: str
    candidates: int


def _numbers(key: str) -> list[str]:
    return sorted(re.findall(r"\d+", key))


# How a cigar is packed is not part of its name: "Siglo VI Tubos" is the Siglo VI (in a
# tube package), as the catalogue files it.
_NOT_NAME_WORDS = {
    "no",
    "tubos",
    "tubo",
    "tube",
    "tubes",
    "tubed",
    "en",
    "cigar",
    "cigare",
    "cigars",
}


def _words(key: str, drop: set[str]) -> str:
    return " ".join(
        w for w in key.split() if not w.isdigit() and w not in drop and w not in _NOT_NAME_WORDS
    )


def brand_for(name: str, brand: str) -> Brand | None:
    """The catalogue brand a product names: its brand field first, then its title."""
    if brand:
        key = search_key(brand)
        for candidate in Brand.objects.all():
            names = [candidate.name, *(a for a in candidate.aliases or [] if isinstance(a, str))]
            if any(search_key(n) == key for n in names):
                return candidate
    ids = brands_named_in(f"{brand} {name}")
    # The longest brand name wins ("Romeo y Julieta" over "Romeo").
    brands = sorted(Brand.objects.filter(pk__in=ids), key=lambda b: -len(b.name))
    return brands[0] if brands else None


# What shops append to a brand that is not a line ("Cohiba Cigars", "Partagás Habanos").
_NOT_LINE_WORDS = {
    "cigar",
    "cigars",
    "cigare",
    "cigares",
    "zigarre",
    "zigarren",
    "sigari",
    "puros",
    "habanos",
    "habano",
    "cuban",
    "cuba",
    "kuba",
    "premium",
    "tobacco",
    "tabak",
    "-",
}


def brand_and_line(brand_field: str, name: str = "") -> tuple[Brand | None, str]:
    """The catalogue brand a shop's brand field (or title) names, and the line the field
    adds after it: "Montecristo Open" → (Montecristo, "Open"); "Romeo y Julieta" →
    (Romeo y Julieta, ""). The brand's name and aliases are tried, longest first, so a
    shop's "<Brand> <Line>" never becomes a new brand."""
    field_text = " ".join((brand_field or "").split())
    if field_text:
        field_key = search_key(field_text)
        candidates = []
        for candidate in Brand.objects.all():
            for known in [
                candidate.name,
                *(a for a in candidate.aliases or [] if isinstance(a, str)),
            ]:
                key = search_key(known)
                if key and (field_key == key or field_key.startswith(f"{key} ")):
                    candidates.append((len(key), candidate, known))
        if candidates:
            _length, brand, known = max(candidates, key=lambda c: c[0])
            known_words = len(search_key(known).split())
            # The remainder in the shop's own spelling: drop as many words as the brand has.
            words = field_text.split()
            line_words = [w for w in words[known_words:] if fold(w) not in _NOT_LINE_WORDS]
            return brand, " ".join(line_words).strip(" -,")
    return brand_for(name, brand_field), ""


def _brand_words(brand: Brand) -> set[str]:
    words: set[str] = set()
    for name in [brand.name, *(a for a in brand.aliases or [] if isinstance(a, str))]:
        words.update(search_key(name).split())
    return words


def _size_agrees(
    cigar: Cigar, length_mm: Decimal | None, ring_gauge: int | None
) -> tuple[bool, str]:
    if (
        length_mm is not None
        and cigar.length_mm is not None
        and abs(Decimal(cigar.length_mm) - length_mm) > LENGTH_TOLERANCE_MM
    ):
        return False, f"length {length_mm} vs {cigar.length_mm}"
    if (
        ring_gauge is not None
        and cigar.ring_gauge is not None
        and abs(cigar.ring_gauge - ring_gauge) > RING_TOLERANCE
    ):
        return False, f"ring {ring_gauge} vs {cigar.ring_gauge}"
    return True, ""


def _name_score(
    product_numbers: list[str], product_words: str, cigar_key: str, brand_words: set[str]
) -> float | str:
    """A score in [0, 100] when the names agree, else why they do not."""
    if _numbers(cigar_key) != product_numbers:
        return "numbers differ"
    cigar_words = _words(cigar_key, brand_words)
    if not product_words and not cigar_words:
        return 100.0
    similarity = fuzz.token_set_ratio(product_words, cigar_words)
    # Words must agree both ways: "robustos" is a subset of "short robustos" (another
    # cigar), so the order-insensitive plain ratio must be high too.
    strict = fuzz.token_sort_ratio(product_words, cigar_words)
    if similarity < WORD_SIMILARITY_FLOOR or strict < STRICT_SIMILARITY_FLOOR:
        return f"names differ ({(similarity + strict) / 2:.0f})"
    return float((similarity + strict) / 2)


def cigar_resolve(
    *,
    name: str,
    brand: str = "",
    length_mm: Decimal | None = None,
    ring_gauge: int | None = None,
) -> Resolution:
    """The cigar a product is, or ``Resolution(None, why)``."""
    catalogue_brand = brand_for(name, brand)
    if catalogue_brand is None:
        return Resolution(None, f"no catalogue brand in {brand or name!r}", 0)
    query = name if fold(catalogue_brand.name) in fold(name) else f"{catalogue_brand.name} {name}"
    hits = cigar_search(query, k=CANDIDATES)
    if not hits:
        return Resolution(None, "no candidate", 0)
    cigars = Cigar.objects.select_related("line__brand").in_bulk([h.cigar_id for h in hits])
    brand_words = _brand_words(catalogue_brand)
    product_key = search_key(name)
    product_numbers = _numbers(product_key)
    product_words = _words(product_key, brand_words)
    best: tuple[float, Cigar] | None = None
    rejected: list[str] = []
    for hit in hits:
        cigar = cigars.get(hit.cigar_id)
        if cigar is None or cigar.line.brand_id != catalogue_brand.pk:
            continue
        fits, why = _size_agrees(cigar, length_mm, ring_gauge)
        if not fits:
            rejected.append(f"{cigar.full_name}: {why}")
            continue
        # Shops often leave the line out ("Cohiba BHK 52" for the Behike BHK 52, "Cohiba
        # Genios" for the Maduro 5 Genios): the name without the line is tried too.
        keys = [cigar.search_name or search_key(cigar.full_name)]
        keys.append(search_key(f"{catalogue_brand.name} {cigar.vitola_name}"))
        scores = [_name_score(product_numbers, product_words, key, brand_words) for key in keys]
        passing = [score for score in scores if isinstance(score, float)]
        if not passing:
            rejected.append(f"{cigar.full_name}: {scores[0]}")
            continue
        if best is None or max(passing) > best[0]:
            best = (max(passing), cigar)
    if best is None:
        reason = "; ".join(rejected[:5]) or "no candidate of the brand"
        return Resolution(None, reason, len(hits))
    return Resolution(best[1], f"matched ({best[0]:.0f})", len(hits))
