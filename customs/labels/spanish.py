"""The label grammar of Spain's official lists (the CMT « Precios de labores » list and the
BOE resolutions of the Comisionado para el Mercado de Tabacos); see docs/spain.md.

A name reads ``BRAND IN CAPITALS`` + the product in mixed case + an optional pack clause:

- ``HOYO DE MONTERREY Epicure N° 2 (25)``: the price is per cigar, sold in boxes of 25;
- ``FLOR DE FILIPINAS Coronitas (el envase de 5)``: the price is for the whole pack of 5;
- no parentheses: a per-cigar price with no pack given.

Sizes are written ``6x54``, ``5 1/4x54`` or ``5 X 50`` (dimension hints, never name words),
and the presentation words of this list (``Latas``, ``Mazo``, ``Tubos``, ``Jarra``…) sit in
the name outside any parentheses: they are read as packaging, out of the compared name.

``read_spanish_name`` gives all of it; ``spanish_parsed_label`` gives the ``ParsedLabel``
the matcher compares (the name with its brand, without pack clause nor packaging words);
``brand_in_capitals`` gives the brand cue alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from customs.labels.names import fold_accents, normalise_name
from customs.labels.parse import DimensionHint, ParsedLabel, _edition_words, parse_dimensions

_SPACES = re.compile(r"\s+")
_PARENS = re.compile(r"\(([^()]*)\)")
# "(25)", "(25 unidades)": a box count; the stated price is per cigar.
_COUNT = re.compile(r"^\s*(\d{1,3})\s*(?:u\.?|uds?\.?|unidades)?\s*$", re.IGNORECASE)
# "(el envase de 5)", "(envase de 10 unidades)": the stated price is the pack's.
_PACK = re.compile(r"^\s*(?:el\s+)?envase\s+de\s+(\d{1,3})\s*(?:unidades)?\s*$", re.IGNORECASE)

#: Presentation words of the Spanish list (folded) → the packaging attribute they state.
PACKAGING_WORDS: dict[str, str] = {
    "lata": "tin",
    "latas": "tin",
    "mazo": "bundle",
    "mazos": "bundle",
    "tubo": "tube",
    "tubos": "tube",
    "jarra": "jar",
    "jarras": "jar",
    "estuche": "case",
    "estuches": "case",
}


@dataclass(frozen=True)
class SpanishName:
    raw: str
    #: The capitals prefix, verbatim ("" when the name does not start with one).
    brand: str
    #: The product words after the brand, without pack clause nor packaging words.
    product: str
    pack_size: int | None
    #: The stated price is for the whole pack ("el envase de N"), not per cigar.
    per_pack: bool
    #: "count" for ``(N)``, "envase" for ``(el envase de N)``, None without a pack clause.
    pack_rule: str | None
    #: Packaging words found in the name, verbatim ("Tubos"), and what they state ("tube").
    packaging_words: tuple[str, ...] = ()
    packaging_attributes: tuple[str, ...] = ()
    #: Other parenthesised texts, verbatim.
    parentheses: tuple[str, ...] = ()
    dimensions: tuple[DimensionHint, ...] = ()

    @property
    def name(self) -> str:
        """Brand and product: what names the cigar."""
        return _clean(f"{self.brand} {self.product}")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _is_capital_word(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and not token.startswith("(")


def _split_brand(text: str) -> tuple[str, str]:
    """The leading run of words written in capitals, and the rest.

    A word without letters ("&", "-") joins the brand only between two capital words; a
    number ends it ("VEGAFINA 1998": the year is the product's).
    """
    tokens = text.split()
    end = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if _is_capital_word(token):
            index += 1
            end = index
        elif not any(c.isalnum() for c in token) and end == index and index > 0:
            index += 1  # a joining sign: kept only if a capital word follows
        else:
            break
    return " ".join(tokens[:end]), " ".join(tokens[end:])


def brand_in_capitals(raw: str) -> str:
    """The brand cue of a name: its leading words in capitals ("" when there are none)."""
    text = _PARENS.sub(" ", _clean(str(raw or "")))
    return _split_brand(text)[0]


def _packaging_out(product: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The product without its packaging words, the words, and the attributes they state."""
    kept: list[str] = []
    words: list[str] = []
    attributes: list[str] = []
    for token in product.split():
        folded = fold_accents(token).casefold().strip(".,;")
        attribute = PACKAGING_WORDS.get(folded)
        if attribute is None:
            kept.append(token)
            continue
        words.append(token)
        if attribute not in attributes:
            attributes.append(attribute)
    if not kept:
        # "COHIBA Tubos" alone: the word is all the product says, so it stays a name word.
        return product, (), ()
    return " ".join(kept), tuple(words), tuple(attributes)


def read_spanish_name(raw: str) -> SpanishName:
    """Read a name of the Spanish list (see the module docstring)."""
    text = _clean(str(raw or ""))
    # The BOE prints a full stop before the price cell ("Coronas (25)."): not the name's.
    text = re.sub(r"\s*\.+\s*$", "", text)
    pack_size: int | None = None
    per_pack = False
    rule: str | None = None
    others: list[str] = []
    for group in _PARENS.findall(text):
        count, pack = _COUNT.match(group), _PACK.match(group)
        if pack:
            pack_size, per_pack, rule = int(pack.group(1)), True, "envase"
        elif count:
            pack_size, per_pack, rule = int(count.group(1)), False, "count"
        else:
            others.append(_clean(group))
    if pack_size == 0:
        pack_size, rule, per_pack = None, None, False
    outside = _clean(_PARENS.sub(" ", text))
    brand, product = _split_brand(outside)
    product, words, attributes = _packaging_out(product)
    return SpanishName(
        raw=str(raw or ""),
        brand=brand,
        product=_clean(product),
        pack_size=pack_size,
        per_pack=per_pack,
        pack_rule=rule,
        packaging_words=words,
        packaging_attributes=attributes,
        parentheses=tuple(others),
        dimensions=tuple(parse_dimensions(outside)),
    )


def spanish_parsed_label(raw: str) -> ParsedLabel:
    """The Spanish name as the matcher compares it (a ``ParsedLabel`` like the French one)."""
    name = read_spanish_name(raw)
    packaging = (*name.parentheses, *name.packaging_words)
    return ParsedLabel(
        raw=name.raw,
        name=name.name,
        normalised=normalise_name(name.name),
        pack_size=name.pack_size,
        pack_rule=name.pack_rule,
        packaging=packaging,
        packaging_attributes=name.packaging_attributes,
        editions=_edition_words(name.name),
        dimensions=name.dimensions,
    )
