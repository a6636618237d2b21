"""``manage.py prune_blobs``: delete blobs nothing references, and stray files."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Count, Sum
from tqdm import tqdm

from media.selectors import blob_prune_candidates, blob_reference_relations
from media.services import blob_orphan_files_prune, blob_prune


class Command(BaseCommand):
    help = (
        "Delete blobs that no row references (found through every relation to MediaBlob), "
        "with their files and thumbnails, then files of the store that no row accounts for."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; delete nothing."
        )
        parser.add_argument(
            "--min-age-hours",
            type=float,
            default=1.0,
            help="Spare blobs and files younger than this (a put may be about to use them).",
        )

    def handle(self, *args, dry_run: bool, min_age_hours: float, **options) -> None:
        min_age = timedelta(hours=max(min_age_hours, 0.0))
        relations = ", ".join(
            f"{r.related_model._meta.db_table}.{r.field.column}" for r in blob_reference_relations()
        )
        self.stdout.write(f"References checked: {relations or 'none'}")
        totals = blob_prune_candidates(min_age=min_age).aggregate(n=Count("pk"), size=Sum("size"))
        freed = totals["size"] or 0

        with tqdm(
            total=totals["n"], desc="prune", unit="blob", disable=options["verbosity"] == 0
        ) as bar:
            digests = blob_prune(min_age=min_age, dry_run=dry_run, progress=bar.update)
        for digest in digests[:50]:
            self.stdout.write(f"{'would delete' if dry_run else 'deleted'} blob {digest}")
        keys = blob_orphan_files_prune(min_age=min_age, dry_run=dry_run)
        for key in keys[:50]:
            self.stdout.write(f"{'would remove' if dry_run else 'removed'} stray file {key}")

        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {len(digests)} unreferenced blob(s) (up to {freed} bytes) and "
                f"{len(keys)} stray file(s)."
            )
        )
