"""Writing valid rows: the idempotent upsert, all or nothing, dry runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import blake3
from django.core.exceptions import ValidationError
from django.db import transaction

from catalogue import services
from catalogue.importer.contract import (
    PARSER_NAME,
    PARSER_VERSION,
    CatalogueRow,
    ImportResult,
    InvalidRow,
)
from catalogue.importer.reading import iter_records, read_file
from catalogue.importer.validation import validate_records
from catalogue.models import Brand, Cigar

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


def _add_brand_aliases(brand: Brand, aliases: list[str]) -> bool:
    """Merge the row's brand spellings into the brand's; True if any was new.

    Only ever adds: the brand's aliases are shared by all its rows, other files and the
    admin, so one row that does not repeat them must not erase them.
    """
    known = {a.casefold() for a in brand.aliases or []} | {brand.name.casefold()}
    new = [a for a in aliases if a.casefold() not in known]
    if not new:
        return False
    services.brand_update(brand=brand, aliases=[*(brand.aliases or []), *new])
    return True


def _upsert(row: CatalogueRow) -> str:
    """Write one row; returns "created", "updated" or "unchanged"."""
    brand, _ = services.brand_get_or_create(name=row.brand)
    aliases_added = _add_brand_aliases(brand, row.brand_aliases)
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
    # The cigar is as it was, but the import taught its brand a new spelling.
    return "updated" if aliases_added else "unchanged"


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
