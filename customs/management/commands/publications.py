"""A status table of the publications: ``manage.py publications [--source] [--status]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Count

from customs.models import CustomsPublication
from customs.selectors import publication_list

COLUMNS = ("id", "source", "status", "effective", "entries", "title / error")


class Command(BaseCommand):
    help = "Show publications with their lifecycle status."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--source")
        parser.add_argument("--status")
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args, source=None, status=None, limit=50, **options) -> None:
        publications = publication_list(source=source, status=status)[:limit]
        rows = []
        for p in publications:
            detail = p.error if p.error else p.title
            if p.duplicate_of_id:
                detail = f"(duplicate of {p.duplicate_of_id}) {detail}"
            status_text = f"{p.status}:{p.failed_stage}" if p.failed_stage else p.status
            rows.append(
                (
                    str(p.pk),
                    p.source.slug,
                    status_text,
                    str(p.effective_date or ""),
                    str(p.entry_count),
                    detail[:70],
                )
            )
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
        line = "  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True))
        self.stdout.write(line)
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in rows:
            self.stdout.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        totals = CustomsPublication.objects.values("status").annotate(n=Count("id"))
        summary = ", ".join(f"{t['n']} {t['status']}" for t in totals.order_by("status"))
        self.stdout.write(f"Total: {summary or 'no publications'}.")
