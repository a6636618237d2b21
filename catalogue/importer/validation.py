"""Validating import records into rows (every reason, with its line number)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from catalogue.importer.contract import (
    _STRENGTHS,
    COLUMNS,
    MAX_CELL_CHARS,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    CatalogueRow,
    ImportFileError,
    InvalidRow,
)
from catalogue.models import Strength
from catalogue.packages import PackageParseError, parse_packages

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


def _aliases(value: str, reasons: list[str]) -> list[str]:
    """``Monte Cristo; Montecristo Habana`` → distinct spellings, in their order."""
    aliases: list[str] = []
    for alias in (" ".join(part.split()) for part in value.split(";")):
        if not alias:
            continue
        if len(alias) > 120:
            reasons.append(f"brand_aliases: {alias[:20]!r}… is longer than 120 characters")
        elif alias.casefold() not in {a.casefold() for a in aliases}:
            aliases.append(alias)
    return aliases


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

    brand_aliases = _aliases(t["brand_aliases"], reasons)

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
        brand_aliases=[a for a in brand_aliases if a.casefold() != t["brand"].casefold()],
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
