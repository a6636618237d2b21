"""Import a local file: ``manage.py ingest_file --source SLUG PATH [--effective-date D]``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from customs.adapters import AdapterError
from customs.management.commands._common import publication_line, source_or_error
from customs.models import PublicationStatus
from customs.services import StageError
from customs.services.runs import publication_ingest_file_run


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--effective-date must be YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = "Store, parse and ingest a local price file (CSV/XLSX for ch-ofdf, ODS for DGDDI)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="+", type=Path)
        parser.add_argument("--source", required=True, help="Source slug, e.g. ch-ofdf.")
        parser.add_argument(
            "--effective-date", help="YYYY-MM-DD (default: from the file, else today)."
        )
        parser.add_argument("--note", default="", help="Where the prices come from.")
        parser.add_argument(
            "--zone",
            default="",
            help="The price zone of a list published per zone (es-cmt: peninsula, "
            "ceuta-melilla); the CMT file itself does not say it.",
        )
        parser.add_argument(
            "--force-count-drop",
            metavar="REASON",
            default="",
            help="Accept an edition sharply smaller than the previous one (suspected "
            "truncation otherwise); the reason is kept with the publication.",
        )

    def handle(
        self,
        *args,
        path,
        source,
        effective_date=None,
        note="",
        force_count_drop="",
        zone="",
        **options,
    ) -> None:
        source_obj = source_or_error(source)
        when = _date(effective_date) if effective_date else None
        failures = 0
        for item in tqdm(path, desc="ingest_file", unit="file", disable=None):
            try:
                _run, publication = publication_ingest_file_run(
                    source=source_obj,
                    path=item,
                    effective_date=when,
                    note=note,
                    accept_count_drop=force_count_drop,
                    zone=zone,
                )
            except (AdapterError, StageError, OSError) as exc:
                failures += 1
                self.stderr.write(f"{item}: {exc}")
                continue
            if publication.status == PublicationStatus.FAILED:
                # The same bytes as a publication that failed (now or earlier): it is not
                # imported; say why and how to retry it, and exit non-zero.
                failures += 1
                self.stderr.write(
                    f"{item}: publication {publication.pk} failed at its "
                    f"{publication.failed_stage} stage: {publication.error} "
                    f"Retry it with `manage.py retry {publication.pk}` (it resumes at that "
                    "stage) once the cause is fixed."
                )
                continue
            self.stdout.write(f"{item}: {publication_line(publication)}")
        self.stdout.write(f"Imported {len(path) - failures} of {len(path)} file(s).")
        if failures:
            raise CommandError(f"{failures} file(s) could not be imported (nothing of them kept).")
