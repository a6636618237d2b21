"""Name normalisation: the comparison form of a product name (customs-formats.md §5.5)."""

from __future__ import annotations

import re
import unicodedata

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
# `N° 2`, `n°2`, `No. 2`, `Nº 2` (º folds to o), `Nr 2`, `#2` → `no 2`; only before a digit,
# so the word "No" elsewhere and names like "Nobleza" are left alone.
_NUMBER_SIGN = re.compile(r"(?:(?<![a-z0-9])n\s*°|(?<![a-z0-9])(?:no|nr|num)\b\.?|#)\s*(?=\d)")
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")
_ROMAN = re.compile(r"^[ivxlcdm]+$")


def fold_accents(text: str) -> str:
    """Partagás → Partagas, Larrañaga → Larranaga, Nº → No (NFKD, combining marks dropped)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _singular(word: str) -> str:
    # Churchills = Churchill, Robustos = Robusto. Short words (dos, tres) and Roman
    # numerals keep their final s-less identity; "ss" endings are not plurals.
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and not word.isdigit():
        return word[:-1]
    return word


def normalise_name(text: str) -> str:
    """The comparison form of a product name.

    Numbers and Roman numerals are kept verbatim (Siglo VI ≠ Siglo I, BHK 52 ≠ BHK 54) and
    no word is dropped (Petit Edmundo ≠ Edmundo).
    """
    folded = fold_accents(text).casefold()
    for dash in _DASHES:
        folded = folded.replace(dash, "-")
    folded = _NUMBER_SIGN.sub("no ", folded)
    # Glued numbers ("no2") get their space before punctuation disappears.
    folded = re.sub(r"\bno(?=\d)", "no ", folded)
    folded = _PUNCTUATION.sub(" ", folded)
    words = [_singular(w) if not _ROMAN.match(w) else w for w in folded.split()]
    return " ".join(words)


def label_key(raw: str) -> str:
    """The normalised whole label: one priced presentation (name, packaging and pack)."""
    return normalise_name(raw)
