"""Specification rows into a product: sizes (the kernel grammar, five languages), blend,
origin and brand ("Ringmaß" → 48, "Länge (mm)" → 158, "Deckblatt" → wrapper)."""

from __future__ import annotations

import re

from catalogue.naming import fold
from cigarspace.text.dimensions import size_from_spec, spec_field
from merchants.extraction.fields import Pack, parse_pack
from merchants.extraction.records import ExtractedProduct

# Labels of the blend and origin rows, folded, by field ("sous-cape" contains "cape":
# binder words are tried before wrapper words).
SPEC_LABELS: dict[str, tuple[str, ...]] = {
    "binder": ("binder", "sous-cape", "sous cape", "capote", "umblatt", "sottofascia"),
    "wrapper": ("wrapper", "cape", "capa", "deckblatt", "fascia"),
    "filler": ("filler", "tripe", "tripa", "einlage", "ripieno"),
    "country": ("country", "pays", "origine", "origin", "provenance", "herkunft", "pais"),
    "brand": ("brand", "marque", "marca", "marke", "hersteller", "manufacturer"),
}


def apply_specs(product: ExtractedProduct, specs: list[tuple[str, str]], *, fill: bool) -> None:
    """Sizes, blend and brand from labelled rows ("Ringmaß" → "48", "Länge (mm)" → "158").
    ``fill``: only what is still missing."""
    for raw_label, raw_value in specs:
        value = " ".join(str(raw_value).split())
        if not raw_label or not value:
            continue
        if spec_field(raw_label):
            size = size_from_spec(raw_label, value)
            if size.length_mm is not None and not (fill and product.length_mm):
                product.length_mm = size.length_mm
            if size.ring_gauge is not None and not (fill and product.ring_gauge):
                product.ring_gauge = size.ring_gauge
            continue
        label = fold(raw_label)
        for key, words in SPEC_LABELS.items():
            if any(word in label for word in words):
                if not (fill and getattr(product, key)):
                    setattr(product, key, value[:160])
                break


# Labels of a row that states what one price buys ("Inhalt: 25 Stück", "Contenu : 5").
# "Quantity" / "Menge" are how many the buyer orders, not what one price buys.
CONTENT_LABELS = (
    "inhalt",
    "packungsinhalt",
    "contenu",
    "contenido",
    "contenuto",
    "content",
    "pack size",
    "cigars per box",
    "packungsgrosse",
    "verpackungseinheit",
)


def content_pack(specs: list[tuple[str, str]]) -> Pack | None:
    """The one pack a content row names; a row listing several ("Single, Pack of 5") names
    none of them alone."""
    for raw_label, value in specs:
        label = fold(raw_label).strip(" :")
        if not any(word in label for word in CONTENT_LABELS):
            continue
        if re.search(r",|/|\band\b|\bund\b|\bet\b|\by\b|\be\b", fold(value)):
            continue
        if pack := parse_pack(value, bare_number=True):
            return pack
    return None
