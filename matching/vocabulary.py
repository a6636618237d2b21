"""What each word and number does inside the catalogue: the statistics evidence is weighed by.

A label word the catalogue record lacks is evidence of *another product* only when
something says it separates products. Two sources say so, both computed from the
catalogue as it is (rebuilt with the matcher's in-memory index whenever the catalogue
changes), plus what the reviewers taught (``LearnedVocabulary``):

- **within the brand**: another cigar of the candidate's brand carries the word (or the
  number). "Maduro" beside a plain version, "Short" beside "Churchill", "No 2" beside
  "No 4" — the word points to that sibling, not to the candidate;
- **as a modifier across the catalogue**: a word that, added to a cigar's name, makes
  another cigar of the same brand ("Edmundo" → "Petit Edmundo", "Robusto" → "Robusto
  Maduro"). How often a word plays that role, among the brands that use it at all, is its
  *separation probability* — the term-frequency idea of Fellegi-Sunter/Splink applied to
  unmatched words: a word that is usually a modifier weighs almost like a conflict even
  under a brand that has no sibling carrying it; a word that never is (an origin, a line
  name a terse record omits) weighs little.

Variant vocabulary that every cigar culture uses to name variants is seeded
(``VARIANT_WORDS``): it separates products even in a catalogue too small to show it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

#: Words that make a variant of a product wherever they appear ("Maduro", "Double",
#: "Petit"…): always separating. Folded and singular, as ``name_tokens`` writes them.
VARIANT_WORDS = frozenset(
    {
        "maduro",
        "oscuro",
        "claro",
        "reserva",
        "reserve",
        "double",
        "doble",
        "gran",
        "grand",
        "grande",
        "petit",
        "petite",
        "short",
        "wide",
        "half",
        "slim",
        "mini",
        "junior",
        "especial",
        "special",
        "extra",
        "edicion",
        "edition",
        "limitada",
        "limited",
    }
)

#: Wrapper words: the leaf a cigar is dressed in, a role of its own. A record silent about
#: its wrapper states it anyway when a sibling is the same cigar in another named wrapper
#: ("No. 45" beside "No. 45 Natural" is the other wrapper), so a label naming a third
#: wrapper is in conflict only with a record that names another one.
WRAPPER_WORDS = frozenset(
    {
        "maduro",
        "natural",
        "claro",
        "oscuro",
        "colorado",
        "rosado",
        "connecticut",
        "habano",
        "corojo",
        "criollo",
        "sumatra",
        "cameroon",
        "candela",
        "broadleaf",
    }
)

#: Release designations: a terse record leaves them out as it leaves out the wrapper
#: ("Perdomo Reserve 10th Anniversary" filed as "10th Anniversary"). Variant vocabulary,
#: but unlike a size word ("Double", "Petit"), which names the vitola itself, they
#: separate products only under a brand whose records carry them.
DESIGNATION_WORDS = frozenset({"reserva", "reserve", "edicion", "edition", "limitada", "limited"})

#: Variant words a record may be silent about: in conflict only where the brand uses them.
OMITTABLE_VARIANT_WORDS = WRAPPER_WORDS | DESIGNATION_WORDS

#: Presentation words: how the cigars are packed, never which cigar it is ("petaca",
#: "semanario", "fagot", "tubos" written outside parentheses). One-sided, they are ignored.
PRESENTATION_WORDS = frozenset(
    {
        "petaca",
        "semanario",
        "fagot",
        "tubo",
        "tube",
        "estuche",
        "etui",
        "coffret",
        "boite",
        "box",
        "tin",
        "lata",
        "mazo",
        "bundle",
        "jarre",
        "jarra",
        "cabinet",
        "cedro",
        "cedre",
        "alu",
        "aluminium",
        "pack",
        "paquet",
    }
)


def code_role(code: str) -> str:
    """The role of a code: a year (1492-2099), a letter (Serie D), or a number."""
    if code.isalpha():
        return "letter"
    if len(code) == 4 and code.isdigit() and 1492 <= int(code) <= 2099:
        return "year"
    return "number"


@dataclass
class CatalogueVocabulary:
    """Per-brand word and code postings and the catalogue-wide separation probabilities."""

    #: (brand id, word) → positions of the brand's cigars whose name carries the word.
    brand_words: dict[tuple[int, str], tuple[int, ...]] = field(default_factory=dict)
    #: (brand id, code) → positions of the brand's cigars whose name carries the code.
    brand_codes: dict[tuple[int, str], tuple[int, ...]] = field(default_factory=dict)
    #: (brand id, sorted words) → positions: siblings that differ only by their codes.
    brand_word_sets: dict[tuple[int, tuple[str, ...]], tuple[int, ...]] = field(
        default_factory=dict
    )
    #: word → probability that it separates two products of a brand that uses it.
    separation: dict[str, float] = field(default_factory=dict)
    #: sorted words → how many brands have a cigar named so ("toro": dozens).
    brands_naming: dict[tuple[str, ...], int] = field(default_factory=dict)
    #: Brands whose records tell editions apart (a cigar of the brand names one): there,
    #: an edition the record lacks points to a product the catalogue does not hold.
    brands_with_editions: frozenset[int] = frozenset()

    def brands_with_name(self, words: tuple[str, ...]) -> int:
        return self.brands_naming.get(tuple(sorted(set(words))), 0)

    def separation_of(self, word: str) -> float:
        if word in VARIANT_WORDS:
            return 1.0
        return self.separation.get(word, 0.0)

    def brand_names_brand(self, maker_id: int, brand_tokens: tuple[str, ...]) -> bool:
        """Does a record of ``maker_id`` carry every word of another brand's name (Drew
        Estate's "Liga Privada No. 9" line names the brand Liga Privada)?"""
        words = [t for t in brand_tokens if not t.isdigit() and len(t) > 1]
        if not words:
            return False
        shared = set(self.brand_words.get((maker_id, words[0]), ()))
        for word in words[1:]:
            shared &= set(self.brand_words.get((maker_id, word), ()))
        return bool(shared)

    def siblings_with_word(self, brand_id: int, word: str, position: int) -> tuple[int, ...]:
        return tuple(p for p in self.brand_words.get((brand_id, word), ()) if p != position)

    def siblings_with_words(
        self, brand_id: int, words: tuple[str, ...], position: int
    ) -> tuple[int, ...]:
        key = (brand_id, tuple(sorted(set(words))))
        return tuple(p for p in self.brand_word_sets.get(key, ()) if p != position)


def build_vocabulary(cigars: list) -> CatalogueVocabulary:
    """The statistics of a list of ``CigarAnalysis`` (positions are list indexes).

    Linear in the catalogue's words: modifier pairs are found by hashing each name with
    one word left out, never by comparing cigars pairwise (a 2,500-cigar brand would
    cost six million comparisons).
    """
    brand_words: dict[tuple[int, str], list[int]] = defaultdict(list)
    brand_codes: dict[tuple[int, str], list[int]] = defaultdict(list)
    brand_word_sets: dict[tuple[int, tuple[str, ...]], list[int]] = defaultdict(list)
    brands_using: dict[str, set[int]] = defaultdict(set)
    for position, cigar in enumerate(cigars):
        variant = cigar.variants[0]
        words = tuple(sorted(set(variant.rest_words)))
        for word in words:
            brand_words[(cigar.brand_id, word)].append(position)
            brands_using[word].add(cigar.brand_id)
        for code in set(variant.codes):
            brand_codes[(cigar.brand_id, code)].append(position)
        brand_word_sets[(cigar.brand_id, words)].append(position)

    # A word is a modifier in a brand when the name without it is another cigar's name.
    modifier_brands: dict[str, set[int]] = defaultdict(set)
    for (brand_id, words), _positions in brand_word_sets.items():
        if len(words) < 2:
            continue
        for word in words:
            rest = tuple(w for w in words if w != word)
            if (brand_id, rest) in brand_word_sets:
                modifier_brands[word].add(brand_id)
    # Shrunk towards 0 for words seen in few brands (+1 in the denominator): one brand's
    # coincidence says little about the word elsewhere.
    separation = {
        word: len(brands) / (len(brands_using[word]) + 1)
        for word, brands in modifier_brands.items()
    }
    brands_naming: Counter = Counter(words for (_brand, words) in brand_word_sets)
    return CatalogueVocabulary(
        brands_with_editions=frozenset(c.brand_id for c in cigars if c.editions),
        brands_naming=dict(brands_naming),
        brand_words={k: tuple(v) for k, v in brand_words.items()},
        brand_codes={k: tuple(v) for k, v in brand_codes.items()},
        brand_word_sets={k: tuple(v) for k, v in brand_word_sets.items()},
        separation=separation,
    )
