"""Prices: numeric cells and text prices, ``Sans changement``, ``Retrait`` (§5.2, §5.3)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import Enum

from customs.labels.names import fold_accents

CENT = Decimal("0.01")
#: The largest price the entries can hold (``DecimalField(max_digits=12, decimal_places=2)``):
#: a larger cell is refused at parse, naming its row and column, instead of overflowing
#: the database at ingestion.
MAX_PRICE = Decimal("9999999999.99")


def _clean_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- Prices -------------------------------------------------------------------------------


class PriceParseError(ValueError):
    """A price cell that is neither a number, empty, ``Sans changement`` nor ``Retrait``."""


class CellKind(Enum):
    EMPTY = "empty"
    PRICE = "price"
    UNCHANGED = "unchanged"  # "Sans changement"
    WITHDRAWN = "withdrawn"  # "Retrait"


@dataclass(frozen=True)
class PriceCell:
    kind: CellKind
    value: Decimal | None = None


_PRICE_TEXT = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d{1,2})?$|^\d+(?:[.,]\d+)?$")


def parse_price(value: object) -> Decimal | None:
    """A price in euros (or any currency) rounded to the cent, or None for an empty cell.

    Numeric cells arrive as float/int (ODS stores numbers, displays ``ddd,dd``); text prices
    may be ``1 234,50`` (any space kind), ``2112,50`` (the PDF twin), ``246.0`` or carry a
    currency sign.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise PriceParseError(f"not a price: {value!r}")
    if isinstance(value, int | float | Decimal):
        # repr of a float is the shortest exact form: 86.5 stays 86.50, never 86.4999….
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not amount.is_finite() or amount < 0:
            raise PriceParseError(f"not a price: {value!r}")
        return _bounded(amount, value)
    text = str(value).strip()
    for sign in ("€", "EUR", "CHF", "Fr.", "chf", "eur"):
        text = text.replace(sign, "")
    text = text.strip()
    if not text:
        return None
    if not _PRICE_TEXT.match(text):
        raise PriceParseError(f"not a price: {value!r}")
    if "," in text:
        # French: spaces or dots group thousands, the comma is the decimal mark.
        text = re.sub(r"[ \u00a0\u202f.]", "", text).replace(",", ".")
    elif re.search(r"[ \u00a0\u202f]", text) or re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", text):
        text = re.sub(r"[ \u00a0\u202f.]", "", text)
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
        raise PriceParseError(f"not a price: {value!r}") from exc
    return _bounded(amount, value)


def _bounded(amount: Decimal, value: object) -> Decimal:
    """``amount`` rounded to the cent, if it fits the entries' columns."""
    if amount > MAX_PRICE:
        raise PriceParseError(
            f"the price {value!r} is out of range (the largest price held is {MAX_PRICE})"
        )
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _folded_word(value: object) -> str:
    return _clean_spaces(fold_accents(str(value)).casefold())


def classify_price_cell(value: object) -> PriceCell:
    """What a price cell says: a price, nothing, ``Sans changement`` or ``Retrait``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return PriceCell(CellKind.EMPTY)
    if isinstance(value, str):
        word = _folded_word(value)
        if word.startswith("sans changement") or word in {"inchange", "sans chgt", "s.c."}:
            return PriceCell(CellKind.UNCHANGED)
        if word.startswith("retrait") or word == "retire":
            return PriceCell(CellKind.WITHDRAWN)
    return PriceCell(CellKind.PRICE, parse_price(value))


def is_withdrawn_marker(value: object) -> bool:
    return isinstance(value, str) and _folded_word(value).startswith("retrait")


def unit_from_pack(pack_price: Decimal, pack_size: int) -> Decimal:
    """Pack ÷ N rounded to the cent (half up, like a till)."""
    return (pack_price / Decimal(pack_size)).quantize(CENT, rounding=ROUND_HALF_UP)


def prices_disagree(unit_price: Decimal, pack_price: Decimal, pack_size: int) -> bool:
    """unit x N differs from the pack by more than the rounding of the unit can explain."""
    tolerance = max(CENT, Decimal("0.005") * pack_size)
    return abs(unit_price * pack_size - pack_price) > tolerance
