"""The price-table reader shared by every French channel.

The DGDDI sheet, and the tables an arrêté may embed, share one layout
(docs/publication-formats.md §1): an edition line, multi-row headers, FOURNISSEUR /
FABRICANT blocks, category rows, then product rows of six cells
``current label | new label | old unit | old pack | new unit | new pack``.

``PriceTableReader`` is a strict section state machine: a product row is a cigar entry
only when the last category row seen is the cigar category. Supplier and maker rows never
change the category; a known category row (cigarettes, rolling tobacco…) ends the cigar
section, so that no other tobacco can leak in as a cigar.

A row the grammar does not know (text alone in the first column that is neither a known
category nor a block) does *not* end the cigar section: in the real files such a row is a
product printed without prices, or a stray caption, and ending the section there silently
dropped the rest of the edition. Only a real section heading (a known category) ends it,
or an unknown row that names another tobacco product (``Produits à chauffer…``). Rows and
warnings are capped, so that a crafted file costs bounded time and memory.

One module per part: ``editions`` (the edition line, the shared text helpers),
``entries`` (a product row → an entry, the price choice), ``reader`` (the sections).
"""

from customs.rows.editions import (
    _FRENCH_DATE,
    EDITION_LINE,
    MONTHS,
    EditionLine,
    TableError,
    fold,
    parse_edition_line,
    parse_french_date,
)
from customs.rows.entries import COLUMN_NAMES, ExtractedEntry, column_label, entry_from_row
from customs.rows.reader import (
    CIGAR_CATEGORY,
    DEFAULT_MAX_ROWS,
    MAX_WARNINGS,
    PriceTableReader,
    TableResult,
    is_cigar_category,
)

__all__ = [
    "CIGAR_CATEGORY",
    "COLUMN_NAMES",
    "DEFAULT_MAX_ROWS",
    "EDITION_LINE",
    "MAX_WARNINGS",
    "MONTHS",
    "_FRENCH_DATE",
    "EditionLine",
    "ExtractedEntry",
    "PriceTableReader",
    "TableError",
    "TableResult",
    "column_label",
    "entry_from_row",
    "fold",
    "is_cigar_category",
    "parse_edition_line",
    "parse_french_date",
]
