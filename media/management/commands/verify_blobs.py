"""``manage.py verify_blobs``: re-hash every stored blob and report the damaged ones."""

from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from media.models import MediaBlob
from media.selectors import BlobState, blob_verify


class Command(BaseCommand):
    help = (
        "Re-hash every blob of the store and compare it with its row. Reports missing and "
        "corrupted files; exits non-zero if there is any."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--digest",
            action="append",
            default=[],
            help="Check only this blob (repeatable).",
        )

    def handle(self, *args, digest: list[str], **options) -> None:
        blobs = MediaBlob.objects.order_by("pk")
        if digest:
            blobs = blobs.filter(digest__in=[d.lower() for d in digest])
        total = blobs.count()
        counts: Counter[BlobState] = Counter()
        checked_bytes = 0
        bad = []
        with tqdm(
            total=total, unit="blob", desc="verify", disable=options["verbosity"] == 0
        ) as bar:
            for blob in blobs.iterator(chunk_size=500):
                check = blob_verify(blob)
                counts[check.state] += 1
                checked_bytes += blob.size
                if check.state is not BlobState.OK:
                    bad.append(check)
                    bar.write(f"{check.state.upper()}: {blob.digest} ({check.detail})")
                bar.update()

        self.stdout.write(
            f"Checked {total} blobs ({checked_bytes} bytes): {counts[BlobState.OK]} ok, "
            f"{counts[BlobState.MISSING]} missing, {counts[BlobState.CORRUPTED]} corrupted."
        )
        if bad:
            raise CommandError(
                f"{len(bad)} damaged blob(s): "
                + ", ".join(f"{c.blob.digest[:12]}… {c.state}" for c in bad[:20])
                + ("…" if len(bad) > 20 else "")
            )
