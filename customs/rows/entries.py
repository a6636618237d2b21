"""One product row of six cells → an ``ExtractedEntry`` (customs-formats.md §5.2, §5.3)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from customs.labels import (
    CellKind,
    PriceCell,
    PriceParseError,
    classify_price_cell,
    is_withdrawn_marker,
    parse_label,
    prices_disagree,
    unit_from_pack,
)
from customs.rows.editions import TableError

#: Names of the six columns, for messages that point at a cell.
COLUMN_NAMES = (
    "current label",
    "new label",
    "old unit price",
    "old pack price",
    "new unit price",
    "new pack price",
)


def column_label(index: int) -> str:
    """``2`` → ``column C (old unit price)``: what an operator finds in the spreadsheet."""
    name = COLUMN_NAMES[index] if index < len(COLUMN_NAMES) else "extra column"
    return f"column {chr(ord('A') + index)} ({name})"


@dataclass
class ExtractedEntry:
    """One cigar line, ready to become a ``CustomsPriceEntry``."""

    row_number: int
    raw_label: str
    new_label: str
    category: str
    supplier: str = ""
    maker: str = ""
    normalised_label: str = ""
    pack_size: int | None = None
    packaging: str = ""
    unit_price: Decimal | None = None
    pack_price: Decimal | None = None
    old_unit_price: Decimal | None = None
    old_pack_price: Decimal | None = None
    unit_price_computed: bool = False
    price_mismatch: bool = False
    is_withdrawn: bool = False
    tax_class: str = ""
    parsed: dict = field(default_factory=dict)
    #: Prices at outlets allowed a surcharge (Spain), beside the regular ones.
    surcharge_unit_price: Decimal | None = None
    surcharge_pack_price: Decimal | None = None
    #: The price zone of the line, when the list has several (blank: the only one).
    zone: str = ""

    @property
    def label(self) -> str:
        """The label in force from the effective date: the new one after a rename."""
        return self.new_label or self.raw_label


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"\s+", " ", str(value)).strip()


def _classify(value: object, *, row_number: int, column: int) -> PriceCell:
    """``column``: the zero-based index of the cell in the row."""
    try:
        return classify_price_cell(value)
    except PriceParseError as exc:
        raise TableError(f"Row {row_number}, {column_label(column)}: {exc}") from None


def _price_status(
    old_unit: PriceCell, old_pack: PriceCell, new_unit: PriceCell, new_pack: PriceCell
) -> str:
    news = (new_unit.kind, new_pack.kind)
    if CellKind.PRICE in news:
        return "new"
    if CellKind.UNCHANGED in news:
        return "unchanged"
    if CellKind.WITHDRAWN in news:
        return "withdrawn"
    return "none"


def entry_from_row(
    cells: Sequence[object],
    *,
    row_number: int,
    category: str,
    supplier: str = "",
    maker: str = "",
) -> ExtractedEntry:
    """One product row → an entry, with the price choice of customs-formats.md §5.2/§5.3.

    - a numeric new cell wins, and then *both* prices come from the new columns (an old
      unit is never paired with a new pack price);
    - ``Sans changement`` (in either new column, sometimes only in the pack one) → the old
      prices;
    - ``Retrait`` anywhere → withdrawn, the last price kept, flagged;
    - unit = printed unit, else pack ÷ N (flagged ``unit_price_computed``);
    - unit x N far from the pack → ``price_mismatch``.
    """
    cells = list(cells) + [None] * (6 - len(cells))
    raw_label, new_label = _cell_text(cells[0]), _cell_text(cells[1])
    withdrawn = any(is_withdrawn_marker(c) for c in cells[1:6])
    if is_withdrawn_marker(cells[1]):
        new_label = ""
    price_cells = [
        PriceCell(CellKind.WITHDRAWN)
        if is_withdrawn_marker(c)
        else _classify(c, row_number=row_number, column=i + 2)
        for i, c in enumerate(cells[2:6])
    ]
    old_unit, old_pack, new_unit, new_pack = price_cells
    status = "withdrawn" if withdrawn else _price_status(*price_cells)
    flags: list[str] = []

    if not raw_label:
        # A new product has only column 1 (and no old prices).
        raw_label, new_label = new_label, ""
        is_new_product = True
    else:
        is_new_product = False
    label = parse_label(new_label or raw_label)

    if status == "new":
        unit, pack = new_unit.value, new_pack.value
    else:
        # Sans changement, Retrait, or nothing printed in the new columns: the old prices.
        unit, pack = old_unit.value, old_pack.value
        if status == "none" and (unit is not None or pack is not None):
            flags.append("no_new_price")

    pack_size = label.pack_size
    computed = False
    if unit is None and pack is not None:
        if pack_size:
            unit = unit_from_pack(pack, pack_size)
            computed = True
        else:
            flags.append("unit_unknown_no_pack_size")
    mismatch = False
    if unit is not None and pack is not None and pack_size:
        mismatch = not computed and prices_disagree(unit, pack, pack_size)
    if withdrawn:
        flags.append("withdrawn")
    if computed:
        flags.append("unit_price_computed")
    if mismatch:
        flags.append("price_mismatch")

    parsed = label.as_dict()
    parsed.update(
        {
            "price_status": status,
            "is_new_product": is_new_product,
            "flags": flags,
            "pack_size_from_label": pack_size,
        }
    )
    if new_label:
        parsed["current_label_name"] = parse_label(raw_label).name
    return ExtractedEntry(
        row_number=row_number,
        raw_label=raw_label[:500],
        new_label=new_label[:500],
        category=category,
        supplier=supplier,
        maker=maker,
        normalised_label=label.normalised[:500],
        pack_size=pack_size,
        packaging=label.packaging_text[:200],
        unit_price=unit,
        pack_price=pack,
        old_unit_price=old_unit.value,
        old_pack_price=old_pack.value,
        unit_price_computed=computed,
        price_mismatch=mismatch,
        is_withdrawn=withdrawn,
        parsed=parsed,
    )
