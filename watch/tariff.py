"""The tariff in force on a date: every catalogue cigar's official prices from one source,
as JSON, CSV or XLSX (openpyxl), with the citation the source's terms ask for.

The API (``GET /api/v1/prices/tariff``) and ``manage.py tariff`` write the same rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font

from customs.models import CustomsSource
from watch.citations import source_citation
from watch.prices import PricePoint, prices_in_force, source_editions

FORMATS = ("json", "csv", "xlsx")
COLUMNS = (
    "cigar_id",
    "cigar",
    "pack_size",
    "packaging",
    "unit_price",
    "pack_price",
    "currency",
    "effective_date",
    "publication_id",
    "entry_id",
    "label",
)
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Tariff:
    source: CustomsSource
    date: dt.date
    citation: str
    edition_id: int | None
    rows: list[PricePoint]

    def records(self) -> list[dict]:
        return [{column: getattr(row, column) for column in COLUMNS} for row in self.rows]


def tariff_on(*, source: CustomsSource, on: dt.date) -> Tariff:
    edition = source_editions(source=source).filter(effective_date__lte=on).first()
    citation = source_citation(source=source, on=on, edition_title=edition.title if edition else "")
    return Tariff(
        source=source,
        date=on,
        citation=citation,
        edition_id=edition.pk if edition else None,
        rows=prices_in_force(on=on, source=source),
    )


def _cell(value):
    return "" if value is None else str(value)


def tariff_csv(tariff: Tariff) -> bytes:
    """UTF-8 with a BOM (spreadsheets then read the accents); the citation is the last row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for record in tariff.records():
        writer.writerow([_cell(record[c]) for c in COLUMNS])
    writer.writerow([])
    writer.writerow([tariff.citation])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def tariff_xlsx(tariff: Tariff) -> bytes:
    """One sheet of prices (numbers as numbers) and one with the citation."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = f"Tariff {tariff.date.isoformat()}"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in tariff.records():
        row = []
        for column in COLUMNS:
            value = record[column]
            if column in ("unit_price", "pack_price") and value is not None:
                value = float(value)
            row.append(value)
        sheet.append(row)
    sheet.append([])
    sheet.append([tariff.citation])
    about = workbook.create_sheet("Source")
    about.append(["source", tariff.source.slug])
    about.append(["date", tariff.date])
    about.append(["citation", tariff.citation])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def tariff_json(tariff: Tariff) -> dict:
    return {
        "source": tariff.source.slug,
        "date": tariff.date,
        "edition_id": tariff.edition_id,
        "citation": tariff.citation,
        "count": len(tariff.rows),
        "results": tariff.records(),
    }
