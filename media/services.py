"""Writes to the blob store: put bytes (deduplicated by BLAKE3), delete, prune.

Every put streams: the bytes are hashed and written to a staging file chunk by chunk, so
a 500 MB price archive costs one chunk of memory, never the whole file. The row is
created after the file is in place, so a row always points at a complete file.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

import blake3
from django.db import transaction
from django.utils import timezone

from media.exceptions import TooLargeRefusedError
from media.models import MediaBlob
from media.selectors import blob_list_unreferenced, blob_orphan_keys, blob_prune_candidates
from media.sniff import SNIFF_BYTES, sniff_mime_type
from media.storage import (
    blob_key,
    blob_storage,
    delete_key,
    put_file,
    staging_file,
    thumbnail_key,
)

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
# The sizes ``media.images`` derives; listed here so deleting a blob removes them too.
THUMBNAIL_SIZES = (256, 1024)
GENERIC_MIME_TYPES = {"application/octet-stream", "text/plain", ""}


def blob_put_stream(
    stream: BinaryIO,
    *,
    mime_type: str | None = None,
    max_bytes: int | None = None,
    width: int | None = None,
    height: int | None = None,
) -> MediaBlob:
    """Store the bytes read from ``stream``; the same bytes twice give the same row.

    ``max_bytes`` stops the read as soon as the stream passes it (nothing is kept).
    ``mime_type`` defaults to a sniff of the first bytes. ``width``/``height`` are for
    images already validated by ``media.images``.
    """
    storage = blob_storage()
    with staging_file(storage) as (path, handle):
        hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
        size = 0
        head = b""
        while chunk := stream.read(CHUNK_SIZE):
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                raise TooLargeRefusedError(
                    f"The file is larger than the limit of {max_bytes} bytes.", code="too_large"
                )
            if len(head) < SNIFF_BYTES:
                head += chunk[: SNIFF_BYTES - len(head)]
            hasher.update(chunk)
            handle.write(chunk)
        handle.flush()
        # The file must be durable before a row can point at it.
        os.fsync(handle.fileno())
        handle.close()
        return _blob_record(
            path,
            digest=hasher.hexdigest(),
            size=size,
            mime_type=mime_type or sniff_mime_type(head),
            width=width,
            height=height,
        )


def blob_put_file(
    path: Path,
    *,
    mime_type: str | None = None,
    max_bytes: int | None = None,
    width: int | None = None,
    height: int | None = None,
) -> MediaBlob:
    """Store a local file (copied; the original is left where it is)."""
    with Path(path).open("rb") as stream:
        return blob_put_stream(
            stream, mime_type=mime_type, max_bytes=max_bytes, width=width, height=height
        )


def blob_put_bytes(
    data: bytes,
    *,
    mime_type: str | None = None,
    width: int | None = None,
    height: int | None = None,
) -> MediaBlob:
    """Store bytes already in memory (small documents, generated files)."""
    return blob_put_stream(io.BytesIO(data), mime_type=mime_type, width=width, height=height)


@transaction.atomic
def _blob_record(
    path: Path,
    *,
    digest: str,
    size: int,
    mime_type: str,
    width: int | None,
    height: int | None,
) -> MediaBlob:
    storage = blob_storage()
    existing = MediaBlob.objects.filter(digest=digest).first()
    if existing is not None:
        # Heal a store whose file went missing (restored backup, manual deletion).
        put_file(storage, existing.storage_key, path)
        return _blob_complete(existing, mime_type=mime_type, width=width, height=height)

    key = blob_key(digest)
    put_file(storage, key, path)
    # Two processes storing the same new bytes race here: get_or_create's insert runs in
    # a savepoint and falls back to reading the winner's row on the unique violation.
    blob, created = MediaBlob.objects.get_or_create(
        digest=digest,
        defaults={
            "size": size,
            "mime_type": mime_type,
            "width": width,
            "height": height,
            "storage_key": key,
        },
    )
    if not created:
        blob = _blob_complete(blob, mime_type=mime_type, width=width, height=height)
    return blob


def _blob_complete(
    blob: MediaBlob, *, mime_type: str, width: int | None, height: int | None
) -> MediaBlob:
    """Fill in what a later, better-informed put knows (e.g. an image's dimensions)."""
    changed = []
    if width and height and blob.width is None:
        blob.width, blob.height = width, height
        changed += ["width", "height"]
    if blob.mime_type in GENERIC_MIME_TYPES and mime_type not in GENERIC_MIME_TYPES:
        blob.mime_type = mime_type
        changed.append("mime_type")
    if changed:
        blob.save(update_fields=changed)
    return blob


@transaction.atomic
def blob_delete(*, blob: MediaBlob) -> None:
    """Delete the row, then its file and thumbnails once the deletion is committed.

    Raises ``django.db.models.ProtectedError`` while anything still references it.
    """
    keys = [blob.storage_key, *(thumbnail_key(blob.digest, size) for size in THUMBNAIL_SIZES)]
    blob.delete()
    storage = blob_storage()

    def remove_files() -> None:
        for key in keys:
            delete_key(storage, key)

    transaction.on_commit(remove_files)


def blob_prune(
    *,
    min_age: timedelta = timedelta(hours=1),
    dry_run: bool = False,
    progress: Callable[[int], object] | None = None,
) -> list[str]:
    """Delete every blob nothing references; return their digests.

    ``min_age`` spares blobs stored moments ago whose referencing row (a media asset, a
    publication) is still being written by another process.
    """
    candidates = blob_prune_candidates(min_age=min_age)
    if dry_run:
        return list(candidates.values_list("digest", flat=True))
    pruned = []
    for pk in list(candidates.values_list("pk", flat=True)):
        digest = _prune_one(pk)
        if digest is not None:
            pruned.append(digest)
        if progress is not None:
            progress(1)
    return pruned


@transaction.atomic
def _prune_one(pk: int) -> str | None:
    # Lock, then re-check: a reference may have been committed since the listing.
    blob = blob_list_unreferenced().select_for_update().filter(pk=pk).first()
    if blob is None:
        return None
    blob_delete(blob=blob)
    logger.info("Pruned blob %s (%s bytes)", blob.digest, blob.size)
    return blob.digest


def blob_orphan_files_prune(
    *, min_age: timedelta = timedelta(hours=1), dry_run: bool = False
) -> list[str]:
    """Delete files of the store that no blob row accounts for; return their keys."""
    keys = list(blob_orphan_keys(older_than=timezone.now() - min_age))
    if not dry_run:
        storage = blob_storage()
        for key in keys:
            delete_key(storage, key)
            logger.info("Removed orphan file %s", key)
    return keys
