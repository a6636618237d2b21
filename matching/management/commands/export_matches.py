"""``manage.py export_matches --format csv|json PATH`` (contract: docs/export-matches.md)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from matching.models import MatchStatus
from matching.services.export import EXPORT_FORMATS, export_queryset, matches_export


class Command(BaseCommand):
    help = "Export matches (one row per entry x candidate) as CSV or JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=EXPORT_FORMATS, required=True)
        parser.add_argument("--status", choices=MatchStatus.values)
        parser.add_argument("--publication", type=int)

    def handle(self, *args, path: Path, format: str, status, publication, **options) -> None:
        if path.is_dir():
            raise CommandError(f"{path} is a directory.")
        if not path.parent.exists():
            raise CommandError(f"The directory {path.parent} does not exist.")
        queryset = export_queryset(status=status, publication_id=publication)
        # Written next to the target and renamed: a failed export never leaves half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with (
                os.fdopen(handle, "w", encoding="utf-8", newline="") as stream,
                tqdm(total=queryset.count(), unit="row", disable=options["verbosity"] == 0) as bar,
            ):
                count = matches_export(
                    fmt=format, stream=stream, queryset=queryset, progress=bar.update
                )
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(self.style.SUCCESS(f"Exported {count} match(es) to {path}."))
