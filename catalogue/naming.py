"""Derived names: a cigar's full name and the normalised key that search compares.

Pure functions (no database): services call them when they write, search calls
``search_key`` on the query so that both sides of a trigram comparison are normalised
the same way.
"""

from __future__ import annotations

import re
import unicodedata

_ROMAN = {"i": 1, "v": 5, "x": 10}
# Only I, V and X: "D", "C", "L" and "M" are far more often letters ("Serie D") than numbers.
_ROMAN_TOKEN = re.compile(r"^(x{0,3})(ix|iv|v?i{0,3})$")


def fold(text: str) -> str:
    """Lower case without accents: "Partagás Línea" → "partagas linea"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _words(text: str) -> list[str]:
    return re.findall(r"[0-9a-z]+", fold(text))


def _same_word(a: str, b: str) -> bool:
    # "Edmundos" repeats "Edmundo": a plural is the same word for naming purposes.
    return a == b or a.rstrip("s") == b.rstrip("s")


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    if not needle or len(needle) > len(haystack):
        return False
    for start in range(len(haystack) - len(needle) + 1):
        window = haystack[start : start + len(needle)]
        if all(_same_word(a, b) for a, b in zip(window, needle, strict=True)):
            return True
    return False


def _starts_with(haystack: list[str], needle: list[str]) -> bool:
    return bool(needle) and _contains_run(haystack[: len(needle)], needle)


def cigar_full_name(*, brand: str, line: str, vitola: str) -> str:
    """Brand + line + vitola, without saying any part twice.

    - a line named like its brand (the default line) is not repeated:
      "Cohiba" + "Cohiba" + "Robustos" → "Cohiba Robustos";
    - a line the vitola already names is dropped: "Siglo" + "Siglo VI" → "Cohiba Siglo VI",
      "Edmundo" + "Double Edmundo" → "Montecristo Double Edmundo";
    - a vitola that starts with the brand keeps it once: "Montecristo" + "Montecristo No.2"
      → "Montecristo No.2", "Punch" + "Punch Punch" → "Punch Punch".
    """
    brand, line, vitola = (" ".join(part.split()) for part in (brand, line, vitola))
    brand_words, line_words, vitola_words = _words(brand), _words(line), _words(vitola)
    parts: list[str] = []
    if not _starts_with(vitola_words, brand_words):
        parts.append(brand)
    line_is_brand = line_words == brand_words or not line_words
    if not line_is_brand and not _contains_run(vitola_words, line_words):
        parts.append(line)
    parts.append(vitola)
    return " ".join(p for p in parts if p)


def _roman_to_int(token: str) -> int | None:
    if not token or not _ROMAN_TOKEN.match(token):
        return None
    total, previous = 0, 0
    for char in reversed(token):
        value = _ROMAN[char]
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total or None


def search_key(text: str) -> str:
    """The normalised form compared by trigram search, for names and queries alike.

    Accents and case are folded, "N°2", "No.2", "Nº 2", "#2", "Number 2" all become
    "no 2", Roman numerals become Arabic ("Siglo VI" → "siglo 6"), letters and digits are
    split ("BHK52" → "bhk 52"), and punctuation becomes single spaces.
    """
    text = fold(text)
    # "n°", "nº", "no.", "#", "number" before a number, the only place they mean "number".
    text = re.sub(r"(?:\bn\s*[°º]|\bnumber\b|\bno\b\.?|\bnr\b\.?|#)\s*(?=\d)", " no ", text)
    text = text.replace("°", " ").replace("º", " ")
    text = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", text)
    words = re.findall(r"[0-9a-z]+", text)
    out = []
    for word in words:
        number = _roman_to_int(word)
        # "i" alone is Roman only after a word ("Siglo I"), never as a first word.
        out.append(str(number) if number is not None and out else word)
    return " ".join(out)
