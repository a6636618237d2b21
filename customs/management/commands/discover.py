"""List new publications of every enabled source (or one): ``manage.py discover [--source]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from customs.management.commands._common import source_or_error
from customs.models import CustomsSource, RunOutcome
from customs.services.runs import source_discover_run


class Command(BaseCommand):
    help = "Discover new publications (all enabled sources with discovery, or --source)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--source", help="Source slug, e.g. fr-douane-opendata.")

    def handle(self, *args, source: str | None = None, **options) -> None:
        if source:
            sources = [source_or_error(source)]
        else:
            sources = list(
                CustomsSource.objects.filter(enabled=True, discovery_enabled=True).order_by("slug")
            )
        outcomes: dict[str, int] = {}
        new = 0
        for item in tqdm(sources, desc="discover", unit="source", disable=None):
            run, outcome = source_discover_run(source=item, trigger="command")
            outcomes[run.outcome] = outcomes.get(run.outcome, 0) + 1
            new += len(outcome.created) if outcome else 0
            label = "NOT CONFIGURED" if run.outcome == RunOutcome.NOT_CONFIGURED else run.outcome
            self.stdout.write(f"{item.slug}: {label} — {run.message}")
        summary = ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items()))
        self.stdout.write(
            f"Discovery: {len(sources)} source(s) ({summary}); {new} new publication(s)."
        )
        if outcomes.get(RunOutcome.FAILED):
            raise CommandError("Discovery failed for at least one source (see above).")
