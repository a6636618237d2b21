"""Catalogue import: CSV or JSON Lines rows → brands, lines, cigars, blends, packages.

The column contract is documented in docs/catalogue-import.md; other tools produce these
files, so columns are only ever added, never renamed. The import is an idempotent upsert
keyed by ``external_id`` (else brand + line + name): importing the same file twice
changes nothing the second time. Every row is validated before anything is written, and
by default one invalid row stops the whole import (``skip_invalid`` writes the others).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import blake3
from django.core.exceptions import ValidationError
from django.db import transaction

from catalogue import services
from catalogue.models import Brand, Cigar, Strength
from catalogue.packages import PackageParseError, ParsedPackage, parse_packages

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


# --- reading ---------------------------------------------------------------------------------


def read_file(path: Path) -> tuple[bytes, str]:
    """The file's bytes and its format ("csv" or "jsonl"), within the size limit."""
    suffix = path.suffix.lower()
    formats = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
    if suffix not in formats:
        raise ImportFileError(f"{path.name}: expected a .csv, .jsonl or .ndjson file")
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportFileError(f"{path.name}: {size} bytes, more than the {MAX_FILE_BYTES} allowed")
    return path.read_bytes(), formats[suffix]


def iter_records(content: bytes, fmt: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, raw record)``; the CSV header is line 1, so data starts at 2."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"the file is not UTF-8 (byte {exc.start})") from exc
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text, newline=""), restkey="__extra__")
        try:
            header = [h.strip() for h in reader.fieldnames or []]
            _check_columns(header)
            reader.fieldnames = header
            for record in reader:
                if record.pop("__extra__", None):
                    yield reader.line_num, {"__error__": "more cells than header columns"}
                    continue
                if not any((v or "").strip() for v in record.values()):
                    continue  # blank line
                yield reader.line_num, record
        except csv.Error as exc:
            # A broken quote or a giant cell makes the rest of the file unreadable.
            raise ImportFileError(f"line {reader.line_num + 1}: malformed CSV ({exc})") from exc
    else:
        seen_columns: set[str] = set()
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, {"__error__": f"invalid JSON ({exc.msg})"}
                continue
            if not isinstance(record, dict):
                yield number, {"__error__": "a line must hold a JSON object"}
                continue
            new_columns = set(record) - seen_columns
            if new_columns:
                _check_columns(list(record), require=False)
                seen_columns |= new_columns
            yield number, record


def _check_columns(columns: list[str], *, require: bool = True) -> None:
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise ImportFileError(
            f"unknown column(s) {', '.join(unknown)}; the contract is: {', '.join(COLUMNS)}"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if require and missing:
        raise ImportFileError(f"missing required column(s): {', '.join(missing)}")


# --- validating ------------------------------------------------------------------------------


def _text(record: dict[str, Any], name: str, reasons: list[str], max_length: int) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        reasons.append(f"{name}: expected text")
        return ""
    value = " ".join(str(value).split())
    if len(value) > max_length:
        reasons.append(f"{name}: longer than {max_length} characters")
    return value


def _decimal(value: str, name: str, reasons: list[str]) -> Decimal | None:
    if value == "":
        return None
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        reasons.append(f"{name}: {value!r} is not a number")
        return None
    if not number.is_finite():
        reasons.append(f"{name}: {value!r} is not a number")
        return None
    return number


def validate_record(line_number: int, record: dict[str, Any]) -> CatalogueRow | InvalidRow:
    if "__error__" in record:
        return InvalidRow(line_number, [record["__error__"]])
    reasons: list[str] = []
    t = {
        name: _text(record, name, reasons, MAX_CELL_CHARS if name == "packages" else 400)
        for name in COLUMNS
    }
    for name in REQUIRED_COLUMNS:
        if not t[name]:
            reasons.append(f"{name}: required")
    for name, limit in (("brand", 120), ("line", 120), ("name", 160), ("external_id", 120)):
        if len(t[name]) > limit:
            reasons.append(f"{name}: longer than {limit} characters")

    length_mm = _decimal(t["length_mm"], "length_mm", reasons)
    length_in = _decimal(t["length_in"], "length_in", reasons)
    if length_mm is None and length_in is not None:
        length_mm = (length_in * Decimal("25.4")).quantize(Decimal("0.1"), ROUND_HALF_UP)
    if length_mm is not None:
        length_mm = length_mm.quantize(Decimal("0.1"), ROUND_HALF_UP)
        if not Decimal(40) <= length_mm <= Decimal(600):
            reasons.append(f"length: {length_mm} mm is outside 40 to 600 mm")

    ring_gauge = None
    if t["ring_gauge"]:
        ring = _decimal(t["ring_gauge"], "ring_gauge", reasons)
        if ring is not None:
            if ring != ring.to_integral_value() or not 20 <= ring <= 100:
                reasons.append(
                    f"ring_gauge: {t['ring_gauge']!r} is not a whole number from 20 to 100"
                )
            else:
                ring_gauge = int(ring)

    weight_g = _decimal(t["weight_g"], "weight_g", reasons)
    if weight_g is not None:
        weight_g = weight_g.quantize(Decimal("0.01"), ROUND_HALF_UP)
        if not Decimal(0) < weight_g < Decimal(10_000):
            reasons.append(f"weight_g: {weight_g} is not a positive weight under 10 kg")

    strength = ""
    if t["strength"]:
        strength = _STRENGTHS.get(t["strength"].casefold(), "")
        if not strength:
            reasons.append(
                f"strength: {t['strength']!r} is not one of {', '.join(Strength.values)}"
            )

    packages = None
    if t["packages"]:
        try:
            packages = parse_packages(t["packages"])
        except PackageParseError as exc:
            reasons.append(f"packages: {exc}")

    if t["source_url"]:
        parts = urlsplit(t["source_url"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            reasons.append(f"source_url: {t['source_url']!r} is not an http(s) URL")
        elif len(t["source_url"]) > 1000:
            reasons.append("source_url: longer than 1000 characters")

    for name, limit in (("wrapper", 64), ("binder", 64), ("filler", 160), ("country", 64)):
        if len(t[name]) > limit:
            reasons.append(f"{name}: longer than {limit} characters")
    if len(t["shape"]) > 64:
        reasons.append("shape: longer than 64 characters")
    if len(t["vitola_de_galera"]) > 120:
        reasons.append("vitola_de_galera: longer than 120 characters")

    if reasons:
        return InvalidRow(line_number, reasons)

    blend = None
    if t["wrapper"] or t["binder"] or t["filler"]:
        blend = []
        for role in ("wrapper", "binder", "filler"):
            for country in filter(None, (c.strip() for c in t[role].split(","))):
                blend.append({"role": role, "country": country})
    return CatalogueRow(
        line_number=line_number,
        external_id=t["external_id"] or None,
        brand=t["brand"],
        line=t["line"],
        name=t["name"],
        fields={
            "vitola_de_galera": t["vitola_de_galera"] or None,
            "length_mm": length_mm,
            "ring_gauge": ring_gauge,
            "weight_g": weight_g,
            "wrapper_origin": t["wrapper"],
            "binder_origin": t["binder"],
            "filler_origin": t["filler"],
            "strength": strength,
            "shape": t["shape"],
            "country": t["country"],
        },
        blend=blend,
        packages=packages,
        source_url=t["source_url"],
    )


def _natural_key(brand: str, line: str, name: str) -> tuple[str, str, str]:
    line = line or brand  # a blank line is the brand's default line
    return (brand.casefold(), line.casefold(), name.casefold())


def validate_records(
    records: Iterator[tuple[int, dict[str, Any]]],
) -> tuple[list[CatalogueRow], list[InvalidRow]]:
    valid: list[CatalogueRow] = []
    invalid: list[InvalidRow] = []
    by_id: dict[str, int] = {}
    by_key: dict[tuple[str, str, str], int] = {}
    for count, (number, record) in enumerate(records, start=1):
        if count > MAX_ROWS:
            raise ImportFileError(f"more than {MAX_ROWS} rows; split the file")
        row = validate_record(number, record)
        if isinstance(row, CatalogueRow):
            key = _natural_key(row.brand, row.line, row.name)
            if row.external_id and row.external_id in by_id:
                row = InvalidRow(
                    number,
                    [f"external_id {row.external_id!r} repeats line {by_id[row.external_id]}"],
                )
            elif key in by_key:
                row = InvalidRow(number, [f"brand, line and name repeat line {by_key[key]}"])
            else:
                if row.external_id:
                    by_id[row.external_id] = number
                by_key[key] = number
        (valid if isinstance(row, CatalogueRow) else invalid).append(row)
    return valid, invalid


# --- writing ---------------------------------------------------------------------------------


def _find_existing(row: CatalogueRow) -> Cigar | None:
    if row.external_id:
        cigar = Cigar.objects.filter(external_id=row.external_id).first()
        if cigar is not None:
            return cigar
    brand = Brand.objects.filter(name__iexact=row.brand).first()
    if brand is None:
        return None
    line_name = row.line or brand.name
    return (
        Cigar.objects.filter(
            line__brand=brand, line__name__iexact=line_name, vitola_name__iexact=row.name
        )
        .select_related("line__brand")
        .first()
    )


def _upsert(row: CatalogueRow) -> str:
    """Write one row; returns "created", "updated" or "unchanged"."""
    brand, _ = services.brand_get_or_create(name=row.brand)
    line, _ = services.line_get_or_create(brand=brand, name=row.line)
    existing = _find_existing(row)
    if existing is None:
        cigar = services.cigar_create(
            line=line,
            vitola_name=row.name,
            external_id=row.external_id,
            blend=row.blend,
            packages=row.packages,
            **row.fields,
        )
        if row.source_url:
            services.source_record_create(
                url=row.source_url, parser=PARSER_NAME, parser_version=PARSER_VERSION, cigar=cigar
            )
        return "created"

    if row.external_id and existing.external_id not in (None, row.external_id):
        raise ValidationError(
            f"matches cigar {existing.pk} by brand, line and name, but that cigar has "
            f"external_id {existing.external_id!r}"
        )
    changes: dict[str, Any] = {
        name: value for name, value in row.fields.items() if getattr(existing, name) != value
    }
    if existing.vitola_name != row.name:
        changes["vitola_name"] = row.name
    if row.external_id and existing.external_id != row.external_id:
        changes["external_id"] = row.external_id
    new_line = line if line.pk != existing.line_id else None
    blend_changed = row.blend is not None and sorted(
        (c["role"], c["country"]) for c in row.blend
    ) != sorted(existing.blend.values_list("role", "country"))
    if changes or new_line is not None or blend_changed:
        services.cigar_update(
            cigar=existing, line=new_line, blend=row.blend if blend_changed else None, **changes
        )
    packages_changed = row.packages is not None and services.cigar_set_packages(
        cigar=existing, packages=row.packages
    )
    if changes or new_line is not None or blend_changed or packages_changed:
        if row.source_url:
            services.source_record_create(
                url=row.source_url,
                parser=PARSER_NAME,
                parser_version=PARSER_VERSION,
                cigar=existing,
                notes="updated by import",
            )
        return "updated"
    return "unchanged"


class _DryRunRollback(Exception):
    pass


def catalogue_import(
    *,
    path: Path,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import a catalogue file (see the module docstring for the rules).

    A dry run does all the writes inside a transaction and rolls it back, so that its
    counts are exactly those a real run would report.
    """
    content, fmt = read_file(path)
    valid, invalid = validate_records(iter_records(content, fmt))
    result = ImportResult(invalid=invalid, dry_run=dry_run)
    if invalid and not skip_invalid:
        return result
    if on_total is not None:
        on_total(len(valid))
    try:
        with transaction.atomic():
            for row in valid:
                try:
                    # A savepoint per row: a row the database refuses is reported, not fatal.
                    with transaction.atomic():
                        outcome = _upsert(row)
                except ValidationError as exc:
                    result.invalid.append(InvalidRow(row.line_number, _messages(exc)))
                else:
                    setattr(result, outcome, getattr(result, outcome) + 1)
                if progress is not None:
                    progress(1)
            result.invalid.sort(key=lambda r: r.line_number)
            if result.invalid and not skip_invalid:
                raise _DryRunRollback
            record = services.source_record_create(
                url=path.resolve().as_uri(),
                parser=PARSER_NAME,
                parser_version=PARSER_VERSION,
                content_hash=blake3.blake3(content).hexdigest(),
                notes=f"{fmt} import" + (" (invalid rows skipped)" if result.invalid else ""),
                stats={
                    **result.summary,
                    "invalid_lines": [r.line_number for r in result.invalid][:1000],
                },
            )
            result.source_record_id = record.pk
            if dry_run:
                raise _DryRunRollback
            result.written = True
    except _DryRunRollback:
        result.source_record_id = None
    return result


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{name}: {m}" for name, msgs in exc.message_dict.items() for m in msgs]
    return list(exc.messages)
