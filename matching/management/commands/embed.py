"""``manage.py embed [--missing | --all]``: vectors for cigars and price entries."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from tqdm import tqdm

from matching.embeddings import cigars_to_embed, embed_pending, entries_to_embed


class Command(BaseCommand):
    help = (
        "Embed cigars and price entries whose vector is missing or from another model "
        "(--all: every row, e.g. after changing EMBEDDING_MODEL)."
    )

    def add_arguments(self, parser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--missing", action="store_true", help="The default.")
        mode.add_argument("--all", action="store_true", help="Re-embed everything.")

    def handle(self, *args, all: bool, **options) -> None:
        mode = "all" if all else "missing"
        total = cigars_to_embed(mode=mode).count() + entries_to_embed(mode=mode).count()
        with tqdm(total=total, unit="row", disable=options["verbosity"] == 0) as bar:
            counts = embed_pending(mode=mode, progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(
                f"Embedded {counts.cigars} cigar(s) and {counts.entries} price entr(ies) "
                f"with {counts.model}."
            )
        )
