"""Run every pending stage: ``manage.py ingest [--source SLUG] [--publication ID]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from customs.management.commands._common import (
    publication_line,
    publication_or_error,
    source_or_error,
)
from customs.models import RunOutcome
from customs.selectors import publications_pending
from customs.services.runs import publication_advance_run, publications_ingest_run


class Command(BaseCommand):
    help = "Fetch, parse and ingest pending publications (all, one source, or one publication)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--source", help="Only this source's publications.")
        parser.add_argument("--publication", type=int, help="Only this publication.")

    def handle(self, *args, source=None, publication=None, **options) -> None:
        if publication is not None:
            item = publication_or_error(publication)
            run = publication_advance_run(publication=item, trigger="command")
            item.refresh_from_db()
            self.stdout.write(publication_line(item))
            if run.outcome == RunOutcome.FAILED:
                raise CommandError(run.message)
            return

        source_obj = source_or_error(source) if source else None
        total = publications_pending(source=source_obj).count()
        with tqdm(total=total, desc="ingest", unit="publication", disable=None) as bar:

            def progress(item) -> None:
                bar.update(1)
                # The bar draws on stderr; the per-publication lines are the command's output.
                self.stdout.write(publication_line(item))

            run = publications_ingest_run(source=source_obj, trigger="command", progress=progress)
        self.stdout.write(f"Ingestion: {total} pending publication(s) — {run.message}.")
        if run.outcome == RunOutcome.FAILED:
            raise CommandError("Some publications failed; `manage.py retry ID` resumes one.")
