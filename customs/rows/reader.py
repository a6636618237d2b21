"""The section state machine: which rows of a price table are cigar entries."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from customs.rows.editions import EditionLine, TableError, fold, parse_edition_line
from customs.rows.entries import ExtractedEntry, _cell_text, entry_from_row

CIGAR_CATEGORY = "Cigares et cigarillos"
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


def is_cigar_category(text: str) -> bool:
    folded = fold(text)
    # French and Spanish category names ("Cigares et cigarillos", "Cigarros y cigarritos").
    return folded.startswith(("cigares", "cigarillos", "cigarros", "cigarritos"))


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
