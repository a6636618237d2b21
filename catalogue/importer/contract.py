"""The column contract, limits and result types of the catalogue import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalogue.models import Strength
from catalogue.packages import ParsedPackage

PARSER_NAME = "import_catalogue"
PARSER_VERSION = "1"
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ROWS = 500_000
MAX_CELL_CHARS = 4000

COLUMNS = (
    "external_id",
    "brand",
    "line",
    "name",
    "vitola_de_galera",
    "length_mm",
    "length_in",
    "ring_gauge",
    "weight_g",
    "wrapper",
    "binder",
    "filler",
    "strength",
    "shape",
    "country",
    "packages",
    "source_url",
    # Added after the first release (columns are only ever appended): other spellings of
    # the row's brand that suppliers write ("Monte Cristo" for Montecristo).
    "brand_aliases",
)
REQUIRED_COLUMNS = ("brand", "name")
_STRENGTHS = {
    **{value: value for value in Strength.values},
    **{label.casefold(): value for value, label in Strength.choices},
    "mild to medium": Strength.MILD_MEDIUM,
    "mild-to-medium": Strength.MILD_MEDIUM,
    "medium to full": Strength.MEDIUM_FULL,
    "medium-to-full": Strength.MEDIUM_FULL,
    "light": Strength.MILD,
    "strong": Strength.FULL,
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (type, size, encoding, columns)."""


@dataclass
class CatalogueRow:
    line_number: int
    external_id: str | None
    brand: str
    line: str
    name: str
    fields: dict[str, Any]
    blend: list[dict[str, str]] | None
    packages: list[ParsedPackage] | None
    source_url: str
    #: Other spellings of the brand, merged into ``Brand.aliases`` (never removed).
    brand_aliases: list[str] = field(default_factory=list)


@dataclass
class InvalidRow:
    line_number: int
    reasons: list[str]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: list[InvalidRow] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    source_record_id: int | None = None

    @property
    def summary(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": len(self.invalid),
        }
