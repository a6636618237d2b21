"""Field parsers for what shops write in free text: sizes, prices, packs, availability.

Pure functions, no database. Sizes and pack phrases are the kernel's grammar
(``cigarspace.text``), shared with the customs label analysis; this module adds prices,
availability words and product-name cleaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from price_parser import Price

from catalogue.naming import fold
from cigarspace.text.dimensions import Size, find_sizes, normalise_fractions, parse_size
from cigarspace.text.quantities import parse_pack_phrase

__all__ = [
    "Money",
    "Pack",
    "Size",
    "availability_in_text",
    "clean_product_name",
    "parse_availability",
    "parse_money",
    "parse_pack",
    "parse_size",
]

CURRENCY_SYMBOLS = {
    "€": "EUR",
    "EUR": "EUR",
    "EURO": "EUR",
    "EUROS": "EUR",
    "£": "GBP",
    "GBP": "GBP",
    "CHF": "CHF",
    "FR.": "CHF",
    "SFR": "CHF",
    "$": "USD",
    "US$": "USD",
    "USD": "USD",
    "CA$": "CAD",
    "CAD": "CAD",
}


# --- sizes --------------------------------------------------------------------------------
# The grammar is the kernel's (``cigarspace.text.dimensions``), shared with the customs
# label analysis; ``parse_size`` is re-exported for the merchants' callers.

# --- prices -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str | None


def parse_money(value: object, *, currency_hint: str | None = None) -> Money | None:
    """A price from "1 234,50 €", "€12.50", "CHF 15.00", 812.5 or "812.50"."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        amount = Decimal(str(value))
        currency = None
    else:
        text = " ".join(str(value).split())
        # A machine value ("812.50" in a schema.org price) is never a thousands separator.
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            amount, currency = Decimal(text), None
        else:
            parsed = Price.fromstring(text, decimal_separator=_decimal_separator(text))
            if parsed.amount is None:
                return None
            amount, currency = parsed.amount, parsed.currency
    if amount < 0 or amount >= Decimal("1e10"):
        return None
    iso = _currency_code(currency) or _currency_code(currency_hint)
    return Money(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), iso)


def _decimal_separator(text: str) -> str | None:
    # "1 234,50 €" and "12,50": a comma followed by exactly two digits at the end of the
    # number is a decimal comma (French shops); price-parser guesses otherwise for "1,234".
    if re.search(r"\d,\d{2}(?!\d)", text) and not re.search(r"\d\.\d{2}(?!\d)", text):
        return ","
    return None


def _currency_code(text: str | None) -> str | None:
    if not text:
        return None
    key = text.strip().upper()
    if re.fullmatch(r"[A-Z]{3}", key) and key not in ("FR.",):
        return key
    return CURRENCY_SYMBOLS.get(key)


# --- availability -------------------------------------------------------------------------

# Words (folded, letters only) that mean "cannot be bought now", in the shops' languages.
_UNAVAILABLE = (
    "outofstock",
    "discontinued",
    "soldout",
    "backorder",
    "preorder",
    "rupture",
    "epuise",
    "indisponible",
    "notavailable",
    "unavailable",
    "currentlyunavailable",
    "ausverkauft",
    "nichtverfugbar",
    "nichtlieferbar",
    "nichtvorratig",
    "vergriffen",
    "agotado",
    "sinstock",
    "nodisponible",
    "esaurito",
    "nondisponibile",
)
_AVAILABLE = (
    "instock",
    "available",
    "enstock",
    "lieferbar",
    "verfugbar",
    "auflager",
    "disponible",
    "disponibile",
    "limitedavailability",
    "onlineonly",
    "instoreonly",
)


def parse_availability(value: object) -> bool | None:
    """schema.org availability (``https://schema.org/InStock``…) or a shop's words."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    text = re.sub(r"[^a-z]", "", fold(str(value)).rsplit("/", 1)[-1])
    return not any(word in text for word in _UNAVAILABLE)


def availability_in_text(text: str) -> bool | None:
    """A shop's visible stock words ("OUT OF STOCK", "Ausverkauft", "En stock"), None when
    the text says neither."""
    letters = re.sub(r"[^a-z]", "", fold(text or ""))
    if not letters:
        return None
    if any(word in letters for word in _UNAVAILABLE):
        return False
    if any(word in letters for word in _AVAILABLE):
        return True
    return None


# --- packs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pack:
    pack_size: int
    packaging: str
    label: str


def parse_pack(label: str, *, bare_number: bool = False) -> Pack | None:
    """A pack from a variant label: "Box of 25", "Boîte de 10", "25er", "Kiste à 40",
    "5-pack", "Einzeln", "Caja de 10", "x25". ``None`` when the label names no pack (a
    size such as "50 x 7" is never one). ``bare_number``: "25" alone is a pack size (an
    option of a quantity selector)."""
    label = " ".join((label or "").split())
    phrase = parse_pack_phrase(label, bare_number=bare_number)
    if phrase is None:
        return None
    return Pack(phrase.pack_size, phrase.packaging, label)


# --- names --------------------------------------------------------------------------------

# What shops add to a product's name: the list of packs it is sold in, the product type,
# "review" on a review site.
_PACK_LIST_NOISE = re.compile(
    r"(?i)\s*[-\u2013\u2014,(|:]?\s*\b(?:box|pack|single|singles|tubos?|kiste|einzeln)"
    r"(?:\s*(?:,|and|&|/|und|\+|or|oder)\s*(?:box|pack|single|singles|tubos?|kiste|einzeln))+"
    r"\b\s*\)?\s*$"
)
_WORD_NOISE = re.compile(
    r"(?i)\s*[-\u2013\u2014,(|:]?\s*\b(?:"
    r"(?:premium\s+)?(?:cigars?|cigares?|zigarren?|zigarre|sigari|sigaro|puros?|cigarros?)"
    r"(?:\s+(?:review|rezension|test|critique))?"
    r"|review|rezension|critique|online\s+kaufen|buy\s+online|acheter|kaufen"
    r"|single|singles|einzeln|einzelzigarre|[àa]\s+l['\u2019]unit[eé]"
    r")\b\s*\)?\s*$"
)
_LEADING_WORD_NOISE = re.compile(
    r"(?i)^(?:(?:cigar\s+)?review\s*(?:[:\-\u2013\u2014]|of(?:\s+the)?)\s*"
    r"|(?:sigaro|zigarre|cigare|cigar|puro)\s+)"
)
_PACK_TEXT = re.compile(
    r"(?ix)\s*[-\u2013\u2014,(|]?\s*(?:"
    r"(?:bo[iî]te|box|[eé]tui|coffret|cabinet|pack|packung|kiste|caja|scatola|tubos?|tubes?|"
    r"cardboard|carton)\s*(?:of|de|da|d['\u2019]|[àa]|mit|x)?\s*\d{1,5}"
    r"(?:\s*(?:cigares?|cigars?|zigarren|st(?:ü|ue?)ck))?"
    r"|(?<![\w.])\d{1,5}\s*(?:cigares|cigars|zigarren|st(?:ü|ue?)ck)"
    r"|(?<![\w.])1\s*(?:cigare|cigar|zigarre)"
    r"|(?<![\w.])\d{1,5}er(?:\s*(?:kiste|box|packung|pack))?"
    r"|(?<![\w.])\d{1,5}\s*-\s*pack"
    r"|[àa]\s+l['\u2019]unit[eé]"
    r")\s*\)?"
)


def clean_product_name(name: str) -> str:
    """A product title without its packs, size and shop noise ("Cohiba Robustos - Boîte de
    25" → "Cohiba Robustos"; "Romeo y Julieta Churchill Cigar - Box, Pack and Single" →
    "Romeo y Julieta Churchill"): the numbers left are the name's own (Siglo VI, No.2)."""
    name = normalise_fractions(" ".join((name or "").split()))
    for match in reversed(find_sizes(name)):
        name = name[: match.start] + " " + name[match.end :]
    name = _PACK_TEXT.sub(" ", name)
    name = re.sub(r"\(\s*\)", " ", name)
    previous = None
    while previous != name:
        previous = name
        name = " ".join(name.split()).strip(" -,|\u2013\u2014:")
        name = _PACK_LIST_NOISE.sub("", name)
        name = _WORD_NOISE.sub("", name)
        name = _LEADING_WORD_NOISE.sub("", name)
    return name.strip(" -,|\u2013\u2014:")


def title_pack(name: str) -> Pack | None:
    """The one pack a product title names ("Cohiba Siglo VI (Box of 10)"), not the list of
    packs a shop sells under it ("… Box, Pack and Single")."""
    stripped = _PACK_LIST_NOISE.sub("", " ".join((name or "").split()))
    return parse_pack(stripped)
