"""Reading an import file: type and size limits, CSV or JSON Lines records."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from catalogue.importer.contract import COLUMNS, MAX_FILE_BYTES, REQUIRED_COLUMNS, ImportFileError

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
