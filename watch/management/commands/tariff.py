"""``manage.py tariff --date D --source S [--format json|csv|xlsx] [--output PATH]``: every
catalogue cigar's official prices in force on D, with the source's citation (the same
rows as ``GET /api/v1/prices/tariff``)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from customs.models import CustomsSource
from watch.tariff import FORMATS, tariff_csv, tariff_json, tariff_on, tariff_xlsx


class Command(BaseCommand):
    help = "Write the tariff in force on a date (JSON, CSV or XLSX) with its citation."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", required=True, help="YYYY-MM-DD")
        parser.add_argument("--source", required=True, help="Source slug.")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args, date: str, source: str, format: str, output: str | None, **options):
        try:
            on = dt.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"Not a date (YYYY-MM-DD): {date!r}") from None
        found = CustomsSource.objects.filter(slug=source).first()
        if found is None:
            raise CommandError(f"No source {source!r}.")
        if format == "xlsx" and not output:
            raise CommandError("XLSX is binary: give --output PATH.")
        tariff = tariff_on(source=found, on=on)
        if format == "json":
            body = json.dumps(tariff_json(tariff), cls=DjangoJSONEncoder, indent=2).encode()
        elif format == "csv":
            body = tariff_csv(tariff)
        else:
            body = tariff_xlsx(tariff)
        if output:
            Path(output).write_bytes(body)
            self.stderr.write(f"{len(tariff.rows)} prices in force on {on} → {output}")
        else:
            sys.stdout.buffer.write(body)
            sys.stdout.flush()
        self.stderr.write(tariff.citation)
