"""The price-table reader shared by every French channel.

The DGDDI sheet, and the tables an arrêté may embed, share one layout
(reference/customs-formats.md §1): an edition line, multi-row headers, FOURNISSEUR /
FABRICANT blocks, category rows, then product rows of six cells
``current label | new label | old unit | old pack | new unit | new pack``.

``PriceTableReader`` is a strict section state machine: a product row is a cigar entry
only when the last category row seen is the cigar category. Supplier and maker rows never
change the category, and an unknown category row closes the cigar section (a warning is
recorded) so that no other tobacco can leak in as a cigar.

A row the grammar does not know (text alone in the first column that is neither a known
category nor a block) does *not* end the cigar section: in the real files such a row is a
product printed without prices, or a stray caption, and ending the section there silently
dropped the rest of the edition. Only a real section heading (a known category) ends it,
or an unknown row that names another tobacco product (``Produits à chauffer…``). Rows and
warnings are capped, so that a crafted file costs bounded time and memory.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from customs.labels import (
    CellKind,
    PriceCell,
    PriceParseError,
    classify_price_cell,
    fold_accents,
    is_withdrawn_marker,
    parse_label,
    prices_disagree,
    unit_from_pack,
)

CIGAR_CATEGORY = "Cigares et cigarillos"

MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
_FRENCH_DATE = r"(\d{1,2})(?:er)?\s+([a-zéèûôA-ZÉÈÛÔ]+)\s+(\d{4})"
EDITION_LINE = re.compile(
    rf"arr[eê]t[eé]\s+du\s+{_FRENCH_DATE}\s*,?\s*(?:applicables?|en\s+vigueur)\s+"
    rf"(?:au|le|[àa]\s+compter\s+du)\s+"
    rf"{_FRENCH_DATE}",
    re.IGNORECASE,
)
_HEADER_WORDS = (
    "designation des produits",
    "prix de vente",
    "anciens prix",
    "nouveaux prix",
    "reference actuelle",
    "nouveau libelle",
    "a l'unite",
    "au conditionnement",
)
_BLOCK = re.compile(r"^(FOURNISSEUR|FABRICANT)\s*:\s*(.+)$", re.IGNORECASE)
# Category rows seen in the real files. Anything else alone on a row closes the section.
_CATEGORY_PREFIXES = (
    "cigares",
    "cigarillos",
    "cigarettes",
    "tabac",
    "tabacs",
    "autres tabacs",
    "produits du tabac",
    "produits de tabac",
    "papiers",
    "tabac a rouler",
    "tabacs a rouler",
    "tabacs a priser",
    "tabacs a macher",
    "tabacs a pipe",
    "tabacs a narguile",
)


# Words of the other tobacco products: an unknown heading naming one of them ends the cigar
# section (the safe side); any other unknown row is kept inside it, with a warning.
_OTHER_TOBACCO = re.compile(
    r"\b(?:cigarettes?|tabacs?|chauff\w*|nicotin\w*|inhal\w*|rouler|pipes?|narguil\w*|"
    r"priser|macher|vapot\w*|e-liquides?|papiers?)\b"
)
#: Warnings kept word for word (the rest are counted): one bad row repeated a million times
#: must not make a million messages.
MAX_WARNINGS = 200
#: Rows a table may hold unless the caller says otherwise (settings.CUSTOMS_MAX_TABLE_ROWS).
DEFAULT_MAX_ROWS = 50_000
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


class TableError(ValueError):
    """The table does not have the expected layout (the publication fails at parse)."""


def fold(text: object) -> str:
    return re.sub(r"\s+", " ", fold_accents(str(text)).casefold()).strip()


def parse_french_date(day: str, month: str, year: str) -> dt.date:
    number = MONTHS.get(fold(month))
    if number is None:
        raise TableError(f"Unknown month {month!r}.")
    return dt.date(int(year), number, int(day))


@dataclass(frozen=True)
class EditionLine:
    text: str
    arrete_date: dt.date
    effective_date: dt.date


def parse_edition_line(text: str) -> EditionLine | None:
    """``Arrêté du 29 septembre 2026, applicable au 1er novembre 2026`` → both dates."""
    match = EDITION_LINE.search(str(text))
    if not match:
        return None
    return EditionLine(
        text=re.sub(r"\s+", " ", str(text)).strip(),
        arrete_date=parse_french_date(*match.group(1, 2, 3)),
        effective_date=parse_french_date(*match.group(4, 5, 6)),
    )


def is_cigar_category(text: str) -> bool:
    folded = fold(text)
    return folded.startswith(("cigares", "cigarillos"))


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


@dataclass
class TableResult:
    edition: EditionLine | None
    entries: list[ExtractedEntry]
    #: The first ``MAX_WARNINGS`` warnings; ``warning_count`` counts them all.
    warnings: list[str]
    #: Product rows seen per category (the skipped ones included), for the run summary.
    rows_per_category: Counter
    warning_count: int = 0


class _Warnings(list):
    """A list that keeps the first ``MAX_WARNINGS`` items and counts the others."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def append(self, item: str) -> None:
        self.count += 1
        if len(self) < MAX_WARNINGS:
            super().append(item)


class PriceTableReader:
    """Feed rows of cells; collect the cigar entries.

    ``require_edition_line``: the DGDDI sheet must open with its edition line (its identity
    comes from there, not from the file name); an arrêté's embedded table has none.
    """

    def __init__(
        self,
        *,
        require_edition_line: bool = True,
        edition_scan_rows: int = 5,
        max_rows: int = DEFAULT_MAX_ROWS,
    ) -> None:
        self.require_edition_line = require_edition_line
        self.edition_scan_rows = edition_scan_rows
        self.max_rows = max_rows

    def read(self, rows: Iterable[tuple[int, Sequence[object]]]) -> TableResult:
        edition: EditionLine | None = None
        category: str | None = None
        supplier = maker = ""
        entries: list[ExtractedEntry] = []
        warnings = _Warnings()
        per_category: Counter = Counter()
        seen_rows = 0

        for row_number, raw_cells in rows:
            cells = [_cell_text(c) if isinstance(c, str) else c for c in raw_cells[:6]]
            texts = [_cell_text(c) for c in cells]
            filled = [i for i, t in enumerate(texts) if t]
            if not filled:
                continue
            seen_rows += 1
            if seen_rows > self.max_rows:
                raise TableError(
                    f"The table has more than {self.max_rows} rows (row {row_number}): far "
                    "more than any price list; refused rather than read."
                )
            joined = " ".join(texts[i] for i in filled)

            if edition is None:
                found = parse_edition_line(joined)
                if found is not None:
                    edition = found
                    continue
                if self.require_edition_line and seen_rows >= self.edition_scan_rows:
                    raise TableError(
                        "No edition line (« Arrêté du …, applicable au … ») at the top of the "
                        "sheet: this is not a DGDDI price list."
                    )
                if self.require_edition_line:
                    continue

            folded = fold(joined)
            if any(folded.startswith(h) or folded == h for h in _HEADER_WORDS) and not any(
                isinstance(c, int | float) for c in cells
            ):
                continue
            block = _BLOCK.match(joined) if filled == [0] else None
            if block:
                # A supplier or maker block: never a category change.
                if block.group(1).upper() == "FOURNISSEUR":
                    supplier, maker = block.group(2).strip(), ""
                else:
                    maker = block.group(2).strip()
                continue
            if filled == [0]:
                # Text alone in column 0: a category row, or a product with no price at all.
                if fold(texts[0]).startswith(_CATEGORY_PREFIXES):
                    category = texts[0]
                    continue
                # Unknown text alone on a row. Inside the cigar section it is a product
                # printed without prices or a caption: the section goes on (only a real
                # heading ends it), unless the text names another tobacco product.
                if category is not None and is_cigar_category(category):
                    if _OTHER_TOBACCO.search(fold(texts[0])):
                        warnings.append(
                            f"Row {row_number}: unknown heading {texts[0]!r} names another "
                            "tobacco product; it closed the cigar section."
                        )
                        category = texts[0]
                    else:
                        warnings.append(
                            f"Row {row_number}: {texts[0]!r} has no price and is no known "
                            "heading; skipped, the cigar section goes on."
                        )
                    continue
                warnings.append(f"Row {row_number}: unknown heading {texts[0]!r}.")
                if category is None:
                    category = texts[0]
                continue

            per_category[category or "(none)"] += 1
            if category is None:
                warnings.append(f"Row {row_number}: product row before any category; skipped.")
                continue
            if not is_cigar_category(category):
                continue
            entries.append(
                entry_from_row(
                    cells,
                    row_number=row_number,
                    category=category,
                    supplier=supplier,
                    maker=maker,
                )
            )

        if self.require_edition_line and edition is None:
            raise TableError("The sheet is empty or has no edition line.")
        return TableResult(
            edition=edition,
            entries=entries,
            warnings=list(warnings),
            rows_per_category=per_category,
            warning_count=warnings.count,
        )
