"""``export_matches``: the stable export contract (docs/export-matches.md)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from typing import IO

from django.db.models import QuerySet

from matching.models import CigarCustomsMatch

EXPORT_FORMATS = ("csv", "json")
EXPORT_COLUMNS = (
    "match_id",
    "price_entry_id",
    "source_slug",
    "publication_external_id",
    "effective_date",
    "raw_label",
    "pack_size",
    "unit_price",
    "pack_price",
    "currency",
    "cigar_id",
    "cigar_external_id",
    "cigar_full_name",
    "status",
    "score",
    "method",
    "signals",
    "rank",
)


def export_queryset(
    *, status: str | None = None, publication_id: int | None = None
) -> QuerySet[CigarCustomsMatch]:
    queryset = CigarCustomsMatch.objects.all()
    if status:
        queryset = queryset.filter(status=status)
    if publication_id is not None:
        queryset = queryset.filter(price_entry__publication_id=publication_id)
    return queryset.order_by("price_entry__publication_id", "price_entry__row_number", "rank", "pk")


def _records(queryset: QuerySet[CigarCustomsMatch]) -> Iterator[dict]:
    rows = queryset.values_list(
        "pk",
        "price_entry_id",
        "price_entry__publication__source__slug",
        "price_entry__publication__external_id",
        "price_entry__publication__effective_date",
        "price_entry__raw_label",
        "price_entry__pack_size",
        "price_entry__unit_price",
        "price_entry__pack_price",
        "price_entry__currency_code",
        "cigar_id",
        "cigar__external_id",
        "cigar__full_name",
        "status",
        "score",
        "match_method",
        "signals",
        "rank",
    )
    for row in rows.iterator(chunk_size=2000):
        record = dict(zip(EXPORT_COLUMNS, row, strict=True))
        for key in ("unit_price", "pack_price", "score"):
            record[key] = None if record[key] is None else str(record[key])
        date = record["effective_date"]
        record["effective_date"] = date.isoformat() if date else None
        yield record


def matches_export(
    *,
    fmt: str,
    stream: IO[str],
    queryset: QuerySet[CigarCustomsMatch] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the matches to ``stream`` as CSV (header row; signals as a JSON string) or as
    one JSON array of objects; returns the number of rows."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format must be one of {EXPORT_FORMATS}, not {fmt!r}")
    queryset = queryset if queryset is not None else export_queryset()
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for record in _records(queryset):
            record["signals"] = json.dumps(record["signals"], sort_keys=True)
            writer.writerow({k: "" if v is None else v for k, v in record.items()})
            count += 1
            if progress is not None:
                progress(1)
        return count
    stream.write("[")
    for record in _records(queryset):
        stream.write(("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False))
        count += 1
        if progress is not None:
            progress(1)
    stream.write("\n]\n")
    return count
