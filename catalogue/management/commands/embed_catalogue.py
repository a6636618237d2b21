"""``manage.py embed_catalogue``: compute cigar embeddings (a thin caller of cigar_embed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Q
from tqdm import tqdm

from catalogue.models import Cigar
from catalogue.services import cigar_embed
from cigarspace import embeddings


class Command(BaseCommand):
    help = "Embed cigars whose vector is missing or from another model (--all: every cigar)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", help="Re-embed every cigar.")
        parser.add_argument("--batch-size", type=int, default=64)

    def handle(self, *args, all: bool, batch_size: int, **options) -> None:
        mode = "all" if all else "missing"
        model = embeddings.model_name()
        queryset = Cigar.objects.all()
        if mode == "missing":
            queryset = queryset.filter(Q(embedding__isnull=True) | ~Q(embedding_model=model))
        with tqdm(total=queryset.count(), unit="cigar", disable=options["verbosity"] == 0) as bar:
            result = cigar_embed(mode=mode, batch_size=max(1, batch_size), progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(f"Embedded {result.embedded} cigar(s) with {result.model}.")
        )
