"""``manage.py match [--publication ID | --source SLUG | --all] [--force] [--no-embed]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from customs.models import CustomsPriceEntry, CustomsPublication, CustomsSource
from matching.embeddings import embed_pending, entries_to_embed
from matching.services import entries_match


class Command(BaseCommand):
    help = (
        "Match price entries to catalogue cigars. Incremental: only entries without a human "
        "decision whose label was not scored yet (--force: every entry; human decisions "
        "are kept either way)."
    )

    def add_arguments(self, parser) -> None:
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--publication", type=int, help="A publication id.")
        scope.add_argument("--source", help="Every publication of a source (slug).")
        scope.add_argument("--all", action="store_true", help="Every publication.")
        parser.add_argument("--force", action="store_true", help="Re-score decided entries too.")
        parser.add_argument(
            "--no-embed", action="store_true", help="Do not compute missing vectors first."
        )

    def handle(self, *args, publication, source, all, force, no_embed, **options) -> None:
        quiet = options["verbosity"] == 0
        if publication is not None:
            found = CustomsPublication.objects.filter(pk=publication).first()
            if found is None:
                raise CommandError(f"No publication with id {publication}.")
            entries, scope = found.entries.all(), f"publication {publication}"
        elif source:
            if not CustomsSource.objects.filter(slug=source).exists():
                raise CommandError(f"No source {source!r}.")
            entries = CustomsPriceEntry.objects.filter(publication__source__slug=source)
            scope = f"source {source}"
        else:
            entries, scope = CustomsPriceEntry.objects.all(), "all"

        if not no_embed:
            missing = entries_to_embed(entry_ids=entries.values_list("pk", flat=True)).count()
            with tqdm(total=missing, unit="entry", desc="embed", disable=quiet) as bar:
                counts = embed_pending(
                    entry_ids=list(entries.values_list("pk", flat=True)), progress=bar.update
                )
            self.stdout.write(f"Embedded {counts.cigars} cigar(s), {counts.entries} entr(ies).")

        with tqdm(unit="entry", desc="match", disable=quiet) as bar:
            outcome = entries_match(
                entries=entries,
                scope=scope,
                force=force,
                progress=bar.update,
                on_total=lambda total: bar.reset(total=total),
            )
        run = outcome.run
        summary = ", ".join(f"{k}: {v}" for k, v in run.counts.items()) or "nothing to do"
        self.stdout.write(
            self.style.SUCCESS(
                f"Matched {run.entries_scored} of {run.entries_seen} cigar entr(ies) in "
                f"{run.duration_seconds:.1f} s ({summary})."
            )
        )
