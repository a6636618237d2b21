"""``manage.py import_catalogue PATH``: a thin caller of ``catalogue.importer``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalogue.importer import ImportFileError, catalogue_import, read_file

MAX_REPORTED_ROWS = 50


class Command(BaseCommand):
    help = (
        "Import cigars from a CSV or JSON Lines file (columns: docs/catalogue-import.md). "
        "Idempotent upsert by external_id, else by brand + line + name."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Write the valid rows even if some are invalid (default: write nothing).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count, then roll back."
        )

    def handle(self, *args, path: Path, skip_invalid: bool, dry_run: bool, **options) -> None:
        try:
            read_file(path)  # type, size and existence, before the progress bar appears
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        with tqdm(unit="row", desc=path.name, disable=options["verbosity"] == 0) as bar:

            def set_total(total: int) -> None:
                bar.reset(total=total)

            try:
                result = catalogue_import(
                    path=path,
                    skip_invalid=skip_invalid,
                    dry_run=dry_run,
                    progress=bar.update,
                    on_total=set_total,
                )
            except ImportFileError as exc:
                raise CommandError(f"{path.name}: {exc}") from exc

        for row in result.invalid[:MAX_REPORTED_ROWS]:
            self.stderr.write(f"line {row.line_number}: " + "; ".join(row.reasons))
        if len(result.invalid) > MAX_REPORTED_ROWS:
            self.stderr.write(f"… and {len(result.invalid) - MAX_REPORTED_ROWS} more invalid rows")

        summary = ", ".join(f"{name} {count}" for name, count in result.summary.items())
        if result.invalid and not skip_invalid:
            raise CommandError(
                f"{len(result.invalid)} invalid row(s): nothing was written "
                "(fix them, or use --skip-invalid to import the valid rows). "
                f"Summary: {summary}"
            )
        prefix = "Dry run (nothing written)" if dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{prefix}: {summary}"))
