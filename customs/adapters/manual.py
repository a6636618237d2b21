"""ch-ofdf (and any manual channel): a CSV or XLSX file imported by an operator.

Switzerland publishes no per-product price list (docs/publication-formats.md §4): the
retail price in CHF is printed on each pack. Operators collect them in a file with the
columns ``label``, ``pack_size``, ``price`` (the pack price), optional ``unit_price`` and
``source_note``; ``manage.py ingest_file --source ch-ofdf FILE`` runs it through the same
lifecycle as any fetched document.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from customs.adapters import register
from customs.adapters.base import (
    AdapterError,
    DiscoveredDocument,
    DiscoveryAdapter,
    DocumentRejected,
    Extraction,
    ExtractorAdapter,
    check_zip_expansion,
)
from customs.labels import (
    PriceParseError,
    parse_label,
    parse_price,
    prices_disagree,
    unit_from_pack,
)
from customs.rows import ExtractedEntry, fold

MAX_ROWS = 50_000
XLSX_MIME_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Accepted spellings of each column (folded: accents and case ignored).
COLUMNS = {
    "label": ("label", "libelle", "designation", "produit", "product", "bezeichnung"),
    "pack_size": ("pack_size", "pack size", "conditionnement", "nombre", "count", "packung"),
    "price": ("price", "price_chf", "pack_price", "prix", "prix_chf", "preis", "preis_chf"),
    "unit_price": ("unit_price", "prix_unitaire", "prix unitaire", "stueckpreis", "unit price"),
    "source_note": ("source_note", "source", "note", "notes", "quelle"),
}
REQUIRED = ("label", "price")


@register
class ManualDiscovery(DiscoveryAdapter):
    """No public list to discover: files are imported by hand."""

    name = "manual"
    version = "1.0"

    def configuration_problem(self) -> str | None:
        return (
            f"{self.source.slug} has no public list to discover: import a CSV/XLSX file with "
            f"`manage.py ingest_file --source {self.source.slug} PATH`."
        )

    def discover(self) -> list[DiscoveredDocument]:
        return []


def _is_xlsx(path: Path) -> bool:
    with path.open("rb") as handle:
        if handle.read(2) != b"PK":
            return False
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _header_map(header: list[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = fold(cell or "").strip()
        for column, spellings in COLUMNS.items():
            if name in spellings and column not in found:
                found[column] = index
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise DocumentRejected(
            f"Missing column(s) {', '.join(missing)}; the header must name label, pack_size, "
            f"price (CHF), and optionally unit_price and source_note. Got: {header!r}."
        )
    return found


@register
class ManualTable(ExtractorAdapter):
    """Reads an operator's CSV (UTF-8, comma or semicolon) or XLSX price table."""

    name = "manual_table"
    version = "1.0"
    max_bytes = 10 * 1024 * 1024

    def mime_type_for(self, path: Path) -> str:
        return XLSX_MIME_TYPE if _is_xlsx(path) else "text/csv"

    def check_document(self, path: Path) -> None:
        if path.stat().st_size > self.max_bytes:
            raise DocumentRejected(f"The file is larger than {self.max_bytes} bytes.")
        if _is_xlsx(path):
            return
        with path.open("rb") as handle:
            head = handle.read(4096)
        if b"\x00" in head:
            raise DocumentRejected("Not a CSV (binary content) nor an XLSX workbook.")
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A cut multi-byte character at the 4 kB boundary is fine; anything else is not.
            if exc.start < len(head) - 3:
                raise DocumentRejected("The CSV file must be UTF-8.") from exc

    def _rows(self, path: Path) -> list[list[object]]:
        if _is_xlsx(path):
            check_zip_expansion(path, limit=100 * 1024 * 1024)
            try:
                sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
                return sheet.to_python(skip_empty_area=False)
            except (CalamineError, ValueError, OSError) as exc:
                raise DocumentRejected(f"The XLSX workbook cannot be read: {exc}") from exc
        text = path.read_text(encoding="utf-8-sig")
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return [list(row) for row in csv.reader(io.StringIO(text), dialect)]

    def extract(self, *, path: Path, publication=None) -> Extraction:
        rows = self._rows(path)
        rows = [r for r in rows if any(str(c).strip() for c in r if c is not None)]
        if not rows:
            raise DocumentRejected("The file is empty.")
        if len(rows) > MAX_ROWS + 1:
            raise DocumentRejected(f"More than {MAX_ROWS} rows: split the file.")
        columns = _header_map(rows[0])
        entries = []
        for number, row in enumerate(rows[1:], start=1):
            entries.append(self._entry(number, row, columns))
        notes = sorted({e.parsed["source_note"] for e in entries if e.parsed.get("source_note")})
        return Extraction(entries=entries, metadata={"source_notes": notes, "rows": len(entries)})

    @staticmethod
    def _entry(number: int, row: list[object], columns: dict[str, int]) -> ExtractedEntry:
        def cell(name: str) -> object:
            index = columns.get(name)
            if index is None or index >= len(row):
                return None
            value = row[index]
            return value.strip() if isinstance(value, str) else value

        label = str(cell("label") or "").strip()
        if not label:
            raise AdapterError(f"Row {number}: the label is empty.")
        parsed_label = parse_label(label)
        prices = {}
        for column in ("price", "unit_price"):
            try:
                prices[column] = parse_price(cell(column))
            except PriceParseError as exc:
                raise AdapterError(f"Row {number} ({label!r}), column {column!r}: {exc}") from None
        pack_price, unit_price = prices["price"], prices["unit_price"]
        if pack_price is None:
            raise AdapterError(f"Row {number} ({label!r}): the price is empty.")
        raw_size = cell("pack_size")
        pack_size = parsed_label.pack_size
        if raw_size not in (None, ""):
            text = str(int(raw_size) if isinstance(raw_size, float) else raw_size)
            if not re.fullmatch(r"\d{1,3}", text) or not 0 < int(text) <= 100:
                # Swiss law: packs hold at most 100 cigars (RS 641.31).
                raise AdapterError(
                    f"Row {number} ({label!r}): pack size {raw_size!r} is not 1-100."
                )
            pack_size = int(text)
        computed = mismatch = False
        if unit_price is None and pack_size:
            unit_price, computed = unit_from_pack(pack_price, pack_size), True
        elif unit_price is not None and pack_size:
            mismatch = prices_disagree(unit_price, pack_price, pack_size)
        parsed = parsed_label.as_dict()
        parsed.update(
            {
                "price_status": "new",
                "is_new_product": False,
                "flags": [
                    f
                    for f, on in (("unit_price_computed", computed), ("price_mismatch", mismatch))
                    if on
                ],
                "source_note": str(cell("source_note") or ""),
            }
        )
        return ExtractedEntry(
            row_number=number,
            raw_label=label[:500],
            new_label="",
            category="Cigares",
            normalised_label=parsed_label.normalised[:500],
            pack_size=pack_size,
            packaging=parsed_label.packaging_text[:200],
            unit_price=unit_price,
            pack_price=pack_price,
            unit_price_computed=computed,
            price_mismatch=mismatch,
            parsed=parsed,
        )
