"""fr-douane-opendata: the DGDDI « Maquette JORF » price lists.

Discovery scrapes the open-data index page for ``.ods`` links (noting the PDF twins);
extraction reads the one sheet with python-calamine (repeated and self-closing cells are
expanded by the reader, so an empty cell never shifts the columns) and hands the rows to
the shared section state machine (``customs.rows``).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import lxml.etree
import lxml.html
from django.conf import settings
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
from customs.rows import PriceTableReader, TableError

ODS_MIME_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
# The index page is a few hundred kB; anything far larger is not that page.
INDEX_MAX_BYTES = 5 * 1024 * 1024


def _file_name(url: str) -> str:
    return unquote(PurePosixPath(urlsplit(url).path).name)


def _twin_stem(url: str) -> str:
    """The file name without extension nor Drupal's ``_0`` suffix: ODS and PDF twins share it."""
    stem = PurePosixPath(_file_name(url)).stem
    return re.sub(r"_\d+$", "", stem).casefold()


@register
class DouaneOpendataIndex(DiscoveryAdapter):
    """Scrapes the customs open-data page for the price-list files."""

    name = "douane_opendata_index"
    version = "1.0"

    def discover(self) -> list[DiscoveredDocument]:
        from customs.services.fetches import fetch_recorded

        result = fetch_recorded(
            client=self.client,
            url=self.source.index_url,
            source=self.source,
            purpose="index",
            adapter=self,
            max_bytes=INDEX_MAX_BYTES,
            accept_types=("text/html", "application/xhtml+xml"),
            conditional=True,
        )
        if result.not_modified:
            return []
        return self.documents_from_html(result.text, base_url=result.url)

    @staticmethod
    def documents_from_html(html: str, *, base_url: str) -> list[DiscoveredDocument]:
        tree = lxml.html.fromstring(html)
        ods: dict[str, tuple[str, str]] = {}
        pdfs: dict[str, str] = {}
        for anchor in tree.iterfind(".//a[@href]"):
            href = urljoin(base_url, anchor.get("href").strip())
            path = urlsplit(href).path.casefold()
            text = " ".join(anchor.text_content().split())
            if path.endswith(".ods"):
                ods.setdefault(href, (text, _twin_stem(href)))
            elif path.endswith(".pdf"):
                pdfs.setdefault(_twin_stem(href), href)
        documents = []
        for url, (text, stem) in ods.items():
            metadata = {"file_name": _file_name(url)}
            if stem in pdfs:
                metadata["pdf_twin"] = pdfs[stem]
            if text:
                metadata["link_text"] = text
            # The title is provisional: the edition line read at parse replaces it.
            documents.append(
                DiscoveredDocument(
                    external_id=url, url=url, title=_file_name(url), metadata=metadata
                )
            )
        return documents


_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ROW = f"{{{_TABLE_NS}}}table-row"
_CELL = f"{{{_TABLE_NS}}}table-cell"
_ROWS_REPEATED = f"{{{_TABLE_NS}}}number-rows-repeated"
_COLUMNS_REPEATED = f"{{{_TABLE_NS}}}number-columns-repeated"
_VALUE_TYPE = f"{{{_OFFICE_NS}}}value-type"
#: Filled cells a sheet may expand to, per allowed row (a price row has six).
CELLS_PER_ROW = 16


def check_ods_dimensions(path: Path, *, max_rows: int) -> None:
    """Refuse a sheet that would expand past ``max_rows`` filled rows before reading it.

    A few kB of ODS can declare a million copies of a row (``number-rows-repeated``); the
    spreadsheet reader expands them in memory (hundreds of MB). Streaming ``content.xml``
    and adding up the repeats of the rows that hold something costs a few MB whatever the
    file. Empty repeated rows (every real sheet ends with some) are not read, so not counted.
    """
    rows = cells = 0
    max_cells = max_rows * CELLS_PER_ROW
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
            for _event, row in lxml.etree.iterparse(content, events=("end",), tag=_ROW):
                filled = sum(
                    int(cell.get(_COLUMNS_REPEATED, "1"))
                    for cell in row.iterchildren(_CELL)
                    if cell.get(_VALUE_TYPE) is not None or len(cell)
                )
                if filled:
                    repeat = int(row.get(_ROWS_REPEATED, "1"))
                    rows += repeat
                    cells += repeat * filled
                    if rows > max_rows or cells > max_cells:
                        raise DocumentRejected(
                            f"The sheet expands to more than {max_rows} filled rows (or "
                            f"{max_cells} filled cells), far more than any price list: "
                            "refused before reading it."
                        )
                # Streaming: drop what was read, so memory stays flat.
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, lxml.etree.XMLSyntaxError) as exc:
        raise DocumentRejected(f"The ODS sheet cannot be read: {exc}") from exc


@register
class DouaneOds(ExtractorAdapter):
    """Reads one DGDDI edition (ODS)."""

    name = "douane_ods"
    version = "1.0"
    max_bytes = 30 * 1024 * 1024
    suffix = ".ods"
    mime_type = ODS_MIME_TYPE

    def check_document(self, path: Path) -> None:
        with path.open("rb") as handle:
            head = handle.read(512)
        if not head.startswith(b"PK"):
            sample = head[:60].decode("utf-8", errors="replace").strip()
            kind = "an HTML page" if b"<" in head[:200] and b"html" in head.lower() else "not a zip"
            raise DocumentRejected(
                f"Expected an ODS spreadsheet (zip, starting with PK); got {kind}: {sample!r}."
            )

    def extract(self, *, path: Path, publication=None) -> Extraction:
        try:
            with zipfile.ZipFile(path) as archive:
                mimetype = archive.read("mimetype").decode("ascii", errors="replace").strip()
        except (zipfile.BadZipFile, KeyError, OSError) as exc:
            raise DocumentRejected(
                f"Not a readable ODS file (truncated or damaged): {exc}"
            ) from exc
        if mimetype != ODS_MIME_TYPE:
            raise DocumentRejected(f"Not an ODS spreadsheet: the zip says {mimetype!r}.")
        check_zip_expansion(path)
        max_rows = settings.CUSTOMS_MAX_TABLE_ROWS
        check_ods_dimensions(path, max_rows=max_rows)
        try:
            workbook = CalamineWorkbook.from_path(str(path))
            sheet = workbook.get_sheet_by_index(0)
            # Row by row: the sheet is never held as Python lists. iter_rows() yields rows
            # from the first one but columns from the first filled one: pad them back to
            # column A, as to_python(skip_empty_area=False) does, so no column shifts.
            first_column = sheet.start[1] if sheet.start else 0
            rows = ([""] * first_column + list(row) for row in sheet.iter_rows())
            return self.extract_rows(enumerate(rows), max_rows=max_rows)
        except (CalamineError, ValueError, OSError) as exc:
            raise DocumentRejected(f"The ODS sheet cannot be read: {exc}") from exc

    @staticmethod
    def extract_rows(rows, *, max_rows: int | None = None) -> Extraction:
        try:
            table = PriceTableReader(
                require_edition_line=True,
                max_rows=max_rows or settings.CUSTOMS_MAX_TABLE_ROWS,
            ).read(rows)
        except TableError as exc:
            raise AdapterError(str(exc)) from exc
        edition = table.edition
        return Extraction(
            title=edition.text,
            arrete_date=edition.arrete_date,
            effective_date=edition.effective_date,
            entries=table.entries,
            metadata={
                "edition_line": edition.text,
                "rows_per_category": dict(table.rows_per_category),
            },
            warnings=table.warnings,
            warning_count=table.warning_count,
        )
