"""Supplier shorthand of catalogue vitola names ("P2" for "Serie P No.2", "Behike 56" for
"BHK 56"): the other spellings of the same product that label analysis scores."""

from __future__ import annotations

# "no" only announces a number; whether a label writes it or not, the number decides
# ("Serie P No.2" is written "P2").
MARKERS = frozenset({"no"})

# Words that announce a series letter: "Serie D No.4", "Serie P No.2", "Serie A".
SERIES_WORDS = frozenset({"serie", "series"})


def is_abbreviation(short: str, word: str) -> bool:
    """``bhk`` of ``behike``: a shorter alphabetic token with the word's first letter,
    whose letters appear in the word in order. Three letters at least: one or two
    letters are codes or chance ("no", "d")."""
    if not (3 <= len(short) < len(word) and short.isalpha() and short[0] == word[0]):
        return False
    letters = iter(word)
    return all(char in letters for char in short)


def shorthand_variants(vitola: tuple[str, ...], line: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The shorter ways suppliers write a vitola name, each the same product.

    - Series by letter: "Serie P No.2" → "P2", "Serie D No.4" → "D4" (the series word and
      the ``no`` marker go, the letter and number stay). The codes still have to agree
      exactly, so "P1", "D2" or a bare "Serie No.2" remain other cigars.
    - Abbreviation of the line: "BHK 56" of the line "Behike" → "Behike 56" (the line
      word replaces its abbreviation). Again the number decides: "Behike 56" can never
      be BHK 52 or 54.

    Both are scored as the same tokens plus a small ``shorthand`` penalty, so an exact
    shorthand is auto-accepted while the full spelling still ranks first when written.
    """
    out: list[tuple[str, ...]] = []
    series = [
        i
        for i, token in enumerate(vitola[:-1])
        if token in SERIES_WORDS and len(vitola[i + 1]) == 1 and vitola[i + 1].isalpha()
    ]
    if series:
        out.append(tuple(t for i, t in enumerate(vitola) if i not in series and t not in MARKERS))
    line_words = [w for w in line if len(w) > 3 and w.isalpha()]
    abbreviations = {
        t for t in vitola if any(is_abbreviation(t, w) for w in line_words) and t not in line
    }
    if abbreviations:
        out.append((*line, *(t for t in vitola if t not in abbreviations)))
    return out
