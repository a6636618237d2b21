"""Pack phrases: how many cigars one price buys, from what shops and price lists write.

    "Einzeln", "single", "à l'unité", "1 Stück"      → 1, single
    "25er", "25er Kiste", "Kiste à 40", "Box of 20"   → 25 / 25 / 40 / 20, box
    "Pack of 5", "5-pack", "5er Pack"                 → 5, pack
    "Caja de 10", "Scatola da 10", "Boîte de 25"      → 10 / 10 / 25, box
    "Étui de 3 tubos", "Tubos 3 pack"                 → 3, tube

Size phrases are blanked first (``dimensions.mask_sizes``): "50 x 7" and "56 X 5¼" are
never packs. The packaging is a plain word equal to a ``catalogue.models.Packaging``
value; the kernel imports no app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cigarspace.text.dimensions import fold, mask_sizes

# No shop sells more in one pack; a larger number next to "box" is a year or a model.
MAX_PACK_SIZE = 1_000

# Container words (folded), by packaging, in the order they are tried: a tube packed in
# a box of 3 is sold as tubes.
PACKAGING_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tube", ("tube", "tubes", "tubed", "tubo", "tubos", "rohre", "rohren", "tubi")),
    ("cabinet", ("cabinet", "cabinets", "cajon", "slb", "semi boite nature")),
    ("tin", ("tin", "tins", "lata", "latas", "dose", "metalldose", "boite metal", "latta")),
    ("jar", ("jar", "jars", "tarro", "jarre")),
    ("humidor", ("humidor",)),
    (
        "box",
        (
            "box",
            "boxes",
            "boite",
            "boites",
            "caja",
            "cajas",
            "kiste",
            "kisten",
            "kistchen",
            "schachtel",
            "coffret",
            "scatola",
            "scatole",
            "cassetta",
            "cedar chest",
        ),
    ),
    (
        "pack",
        (
            "pack",
            "packs",
            "packung",
            "paquete",
            "paquet",
            "carton",
            "etui",
            "etuis",
            "pacchetto",
            "astuccio",
            "confezione",
            "pk",
        ),
    ),
    ("bundle", ("bundle", "bundles", "mazo", "bund", "fagot")),
    ("single", ("single", "singles", "einzeln", "einzelzigarre", "unite", "unidad", "singolo")),
)
_ALL_CONTAINERS = "|".join(
    re.escape(word) for _packaging, words in PACKAGING_WORDS for word in words if word != "pk"
)
_CIGAR_WORDS = (
    r"cigars?|cigares?|cigarros?|zigarren?|sigari|sigaro|puros?|habanos?|pcs|pc|pieces?|"
    r"stuck|stk|stck|count|ct|units?|unidades|pezzi|pz|er"
)

# Phrases meaning one cigar, folded.
_SINGLE = re.compile(
    r"(?:^|\b)(?:einzeln|einzelzigarre|einzelstuck|single(?:\s+cigar)?|singles|per\s+cigar|"
    r"each|a\s+l['\u2019]\s*unite|a\s+la\s+piece|l['\u2019]unite|unite|la\s+piece|"
    r"unidad|suelto|por\s+unidad|singolo|sfuso|al\s+pezzo|stuckpreis)(?:\b|$)"
)
# "box of 20", "caja de 10", "scatola da 10", "kiste a 40", "kiste mit 25", "pack of 5"
_CONTAINER_OF_N = re.compile(
    rf"\b(?P<word>{_ALL_CONTAINERS})\s*(?:of|de|da|di|a|mit|von|with|x|:)?\s*(?P<n>\d{{1,5}})"
    rf"(?!\s*(?:[.,/]\d|%|ml|g\b|cm|mm))"
)
# "25er", "25er kiste", "5-pack", "10 pack", "25 stuck", "20 cigars", "box 25 count"
_N_WORD = re.compile(
    rf"(?<![\d.,/])(?P<n>\d{{1,5}})\s*-?\s*(?P<word>{_CIGAR_WORDS}|{_ALL_CONTAINERS}|pk)\b"
)
# "x25", "25x", "x 25" as the whole label or after a separator ("Robusto - x25"): inside
# a text, "x 6" is as likely the end of a size ("52 Ring x 6 in").
_X_N = re.compile(r"(?:^|[-\u2013(|,:]\s*)x\s?(?P<n>\d{1,5})\s*\)?\s*$|^\s*(?P<m>\d{1,5})\s?x\s*$")
# A number that belongs to the name: "No. 2 Tubos", "#4", "Nr. 3 Tubos", "Serie D 4".
_NAME_NUMBER_BEFORE = re.compile(r"(?:\bno\.?|\bn[°º]|#|\bnr\.?|\bnumber|\bserie\s+[a-z])\s*$")
_SINGULAR_CIGAR_WORDS = {"cigar", "cigare", "cigarro", "zigarre", "sigaro", "puro", "habano"}
_BARE_NUMBER = re.compile(r"^\s*(?P<n>\d{1,5})\s*$")


@dataclass(frozen=True)
class PackPhrase:
    pack_size: int
    packaging: str  # a catalogue Packaging value: box, pack, tube, single…
    text: str  # the phrase as matched


def packaging_word(text: str) -> str:
    """The packaging a text names ("Kiste" → box, "Tubos" → tube), "" when none."""
    folded = f" {fold(text)} "
    for packaging, words in PACKAGING_WORDS:
        if any(re.search(rf"\b{re.escape(word)}\b", folded) for word in words):
            return packaging
    return ""


def _packaging_for(size: int, text: str) -> str:
    word = packaging_word(text)
    if word == "single" and size > 1:
        word = ""
    return word or ("single" if size == 1 else "box")


def parse_pack_phrase(text: str, *, bare_number: bool = False) -> PackPhrase | None:
    """The pack a label states, or None. ``bare_number``: a label that is only a number
    ("25", an option of a "Menge" selector) is a pack size."""
    folded = fold(mask_sizes(text or ""))
    folded = " ".join(folded.split())
    if not folded:
        return None
    for pattern in (_CONTAINER_OF_N, _N_WORD, _X_N):
        for match in pattern.finditer(folded):
            size = int(next(g for g in (match.groupdict().get(k) for k in ("n", "m")) if g))
            # "Magnum 50 Cigar" names a cigar; "50 Cigars" a pack.
            if size > 1 and match.groupdict().get("word") in _SINGULAR_CIGAR_WORDS:
                continue
            if pattern is _N_WORD and _NAME_NUMBER_BEFORE.search(folded[: match.start()]):
                continue
            if 0 < size <= MAX_PACK_SIZE:
                return PackPhrase(size, _packaging_for(size, folded), match.group(0).strip())
    if match := _SINGLE.search(folded):
        return PackPhrase(1, "single", match.group(0).strip())
    if bare_number and (match := _BARE_NUMBER.match(folded)):
        size = int(match["n"])
        if 0 < size <= MAX_PACK_SIZE:
            return PackPhrase(size, "single" if size == 1 else "box", match.group(0).strip())
    return None
