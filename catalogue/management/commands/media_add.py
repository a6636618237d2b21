"""``manage.py media_add CIGAR URL_OR_PATH --type front [--primary]``.

A thin caller of ``catalogue.media_assets``: the same intake checks as the API (size cap,
sniffed format, Pillow verification, private-address guard for URLs).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from catalogue.media_assets import (
    cigar_get_by_reference,
    media_asset_add_from_path,
    media_asset_add_from_url,
)
from catalogue.models import AssetType, Cigar


class Command(BaseCommand):
    help = "Add a picture to a cigar from an http(s) URL or a local file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("cigar", help="The cigar: id, slug or external id.")
        parser.add_argument("source", metavar="URL_OR_PATH", help="An http(s) URL or a file.")
        parser.add_argument(
            "--type",
            dest="asset_type",
            choices=AssetType.values,
            default=AssetType.FRONT,
            help="What the picture shows (default: front).",
        )
        parser.add_argument(
            "--primary", action="store_true", help="Make it the cigar's primary picture."
        )
        parser.add_argument("--position", type=int, default=None, help="Order among pictures.")

    def handle(self, *args, cigar: str, source: str, asset_type: str, primary: bool, **options):
        try:
            target = cigar_get_by_reference(cigar)
        except Cigar.DoesNotExist as exc:
            raise CommandError(str(exc)) from None

        scheme = urlsplit(source).scheme.lower()
        try:
            if scheme in ("http", "https"):
                asset = media_asset_add_from_url(
                    cigar=target,
                    url=source,
                    asset_type=asset_type,
                    is_primary=primary,
                    position=options["position"],
                )
            elif scheme and len(scheme) > 1:  # "C:\…" is a Windows path, not a scheme
                raise CommandError(
                    f"Only http and https URLs or local files are accepted, not {scheme}://."
                )
            else:
                path = Path(source)
                if not path.is_file():
                    raise CommandError(f"No such file: {path}")
                asset = media_asset_add_from_path(
                    cigar=target,
                    path=path,
                    asset_type=asset_type,
                    is_primary=primary,
                    position=options["position"],
                )
        except ValidationError as exc:
            raise CommandError(f"Refused: {' '.join(exc.messages)}") from None

        blob = asset.blob
        self.stdout.write(
            self.style.SUCCESS(
                f"{target.full_name}: {asset.get_asset_type_display().lower()} picture #{asset.pk} "
                f"({blob.mime_type}, {blob.width}x{blob.height}, {blob.size} bytes, "
                f"blake3 {blob.digest[:12]}…){' — primary' if asset.is_primary else ''}"
            )
        )
