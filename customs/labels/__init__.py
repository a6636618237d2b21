"""Reading the free-text product labels of price lists, and their prices.

The labels are typed by suppliers: brand + line + vitola in one string, mixed case, the
priced pack as a trailing ``en N cigares`` and packaging in parentheses
(docs/publication-formats.md §1 and §5). This package is the one place that knows those
conventions; the customs row parser and the matching engine both import it. Spain writes
its names another way (``BRAND Product (25)``): ``customs.labels.spanish``, and
``customs.labels.grammars`` names each list's grammar (docs/spain.md).

Public API:

- ``parse_label(raw) -> ParsedLabel``: pack size, packaging, edition words, dimension
  hints, the product name and its normalised form;
- ``normalise_name(text) -> str``: the comparison form of a name (accents folded,
  case-folded, ``N° 2`` → ``no 2``, ``H.Upmann`` = ``H. Upmann``, plurals folded);
- ``label_key(raw) -> str``: the normalised *whole* label (pack and packaging included),
  which identifies one priced presentation across editions;
- ``parse_price(value) -> Decimal | None`` and ``classify_price_cell(value)``: numeric
  cells and text prices (``1 234,50``, ``2112,50``, ``246.0``), ``Sans changement``,
  ``Retrait``.
"""

from customs.labels.names import fold_accents, label_key, normalise_name
from customs.labels.parse import DimensionHint, ParsedLabel, parse_dimensions, parse_label
from customs.labels.prices import (
    CENT,
    CellKind,
    PriceCell,
    PriceParseError,
    classify_price_cell,
    is_withdrawn_marker,
    parse_price,
    prices_disagree,
    unit_from_pack,
)

__all__ = [
    "CENT",
    "CellKind",
    "DimensionHint",
    "ParsedLabel",
    "PriceCell",
    "PriceParseError",
    "classify_price_cell",
    "fold_accents",
    "is_withdrawn_marker",
    "label_key",
    "normalise_name",
    "parse_dimensions",
    "parse_label",
    "parse_price",
    "prices_disagree",
    "unit_from_pack",
]
