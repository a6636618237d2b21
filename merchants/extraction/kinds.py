"""Is a product a cigar, a sampler (several cigars: assortments, gift sets) or an
accessory? Samplers and accessories are kept out of the cigar catalogue: a sampler is
not the first cigar it describes, and a cutter has no vitola."""

from __future__ import annotations

import re

from catalogue.naming import fold
from merchants.extraction.records import ProductKind

# Folded words, whole words. "Coffret" alone is a box (a pack), not a gift set; "Punch"
# alone is a cigar brand, not the tool.
_SAMPLER = re.compile(
    r"\b(?:sampler|samplers|assortment|assorted|variety\s+pack|selection\s+box|"
    r"gift\s+(?:set|box|pack)|tasting\s+set|collection\s+set|probierset|probierpaket|"
    r"geschenkset|geschenkbox|geschenkpackung|mischkiste|sortiment|coffret\s+(?:degustation|"
    r"decouverte|cadeau|assortiment)|assortiment|surtido|muestrario|estuche\s+regalo|"
    r"confezione\s+regalo|assortimento|degustazione|selezione)\b"
)
_ACCESSORY = re.compile(
    r"\b(?:cutter|cutters|guillotine|cigar\s+punch|punch\s+cutter|lighter|lighters|torch|"
    r"ashtray|ashtrays|"
    r"humidifier|hygrometer|boveda|humidipak|cigar\s+case|leather\s+case|travel\s+case|"
    r"feuerzeug|zigarrenabschneider|abschneider|aschenbecher|befeuchter|zigarrenetui|"
    r"coupe[\s-]cigares?|briquet|cendrier|humidificateur|hygrometre|cortapuros|"
    r"encendedor|mechero|cenicero|humidificador|tagliasigari|accendino|posacenere|"
    r"umidificatore|igrometro|humidor|humidors)\b"
)
# "Humidor of 10" and "cabinet" sell cigars: the packaging word is not the product.
_HUMIDOR_PACK = re.compile(r"\bhumidor\s+(?:of|de|mit|da|with|a)\s+\d")
_ACCESSORY_CATEGORY = re.compile(r"\b(?:accessor|zubehor|accesoire|accesorio|accessori)")


def product_kind(name: str, *, category: str = "", description: str = "") -> tuple[str, str]:
    """(kind, why) for a product of that name, category (breadcrumbs) and description."""
    folded = fold(name)
    if match := _SAMPLER.search(folded):
        return ProductKind.SAMPLER, f"the name says {match.group(0)!r}"
    match = _ACCESSORY.search(folded)
    if match and not (match.group(0).startswith("humidor") and _HUMIDOR_PACK.search(folded)):
        return ProductKind.ACCESSORY, f"the name says {match.group(0)!r}"
    folded_category = fold(category)
    if match := _ACCESSORY_CATEGORY.search(folded_category):
        return ProductKind.ACCESSORY, f"the category is {category!r}"
    if _SAMPLER.search(folded_category):
        return ProductKind.SAMPLER, f"the category is {category!r}"
    return ProductKind.CIGAR, ""
