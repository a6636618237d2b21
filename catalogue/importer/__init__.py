"""Catalogue import: CSV or JSON Lines rows → brands, lines, cigars, blends, packages.

The column contract is documented in docs/catalogue-import.md; other tools produce these
files, so columns are only ever added, never renamed. The import is an idempotent upsert
keyed by ``external_id`` (else brand + line + name): importing the same file twice
changes nothing the second time. Every row is validated before anything is written, and
by default one invalid row stops the whole import (``skip_invalid`` writes the others).

Modules: ``contract`` (columns, limits, result types), ``reading``, ``validation`` and
``writing``; everything public is importable from ``catalogue.importer``.
"""

from __future__ import annotations

from catalogue.importer.contract import (
    COLUMNS,
    MAX_CELL_CHARS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    PARSER_NAME,
    PARSER_VERSION,
    REQUIRED_COLUMNS,
    CatalogueRow,
    ImportFileError,
    ImportResult,
    InvalidRow,
)
from catalogue.importer.reading import iter_records, read_file
from catalogue.importer.validation import validate_record, validate_records
from catalogue.importer.writing import catalogue_import

__all__ = [
    "COLUMNS",
    "MAX_CELL_CHARS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "PARSER_NAME",
    "PARSER_VERSION",
    "REQUIRED_COLUMNS",
    "CatalogueRow",
    "ImportFileError",
    "ImportResult",
    "InvalidRow",
    "catalogue_import",
    "iter_records",
    "read_file",
    "validate_record",
    "validate_records",
]
