"""Reads of the blob store: open a blob, find one, check its bytes, find what is unused."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import blake3
from django.core.files import File
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone

from media.models import MediaBlob
from media.storage import THUMBS_PREFIX, blob_key, blob_storage, local_root, thumbnail_key

CHUNK_SIZE = 1024 * 1024


def blob_open(blob: MediaBlob) -> File:
    """A readable binary file object on the blob's bytes (the caller closes it)."""
    return blob_storage().open(blob.storage_key, "rb")


def blob_path_or_none(blob: MediaBlob) -> Path | None:
    """The local path of the blob when the storage is the file system, else None."""
    root = local_root(blob_storage())
    if root is None:
        return None
    return root / blob.storage_key


def blob_get_by_digest(digest: str) -> MediaBlob | None:
    return MediaBlob.objects.filter(digest=digest.lower()).first()


def thumbnail_exists(*, digest: str, size: int) -> bool:
    return blob_storage().exists(thumbnail_key(digest, size))


def thumbnail_open(*, digest: str, size: int) -> File:
    return blob_storage().open(thumbnail_key(digest, size), "rb")


class BlobState(enum.StrEnum):
    OK = "ok"
    MISSING = "missing"
    CORRUPTED = "corrupted"


@dataclass(frozen=True)
class BlobCheck:
    blob: MediaBlob
    state: BlobState
    detail: str = ""


def blob_verify(blob: MediaBlob) -> BlobCheck:
    """Re-hash the stored bytes and compare them with the row (digest and size)."""
    storage = blob_storage()
    if not storage.exists(blob.storage_key):
        return BlobCheck(blob, BlobState.MISSING, f"no file at {blob.storage_key}")
    hasher = blake3.blake3(max_threads=blake3.blake3.AUTO)
    size = 0
    with storage.open(blob.storage_key, "rb") as stream:
        while chunk := stream.read(CHUNK_SIZE):
            size += len(chunk)
            hasher.update(chunk)
    digest = hasher.hexdigest()
    if digest != blob.digest:
        return BlobCheck(
            blob, BlobState.CORRUPTED, f"hash {digest[:16]}…, {size} bytes (row: {blob.size})"
        )
    if size != blob.size:
        return BlobCheck(blob, BlobState.CORRUPTED, f"{size} bytes on disk, {blob.size} in row")
    return BlobCheck(blob, BlobState.OK)


def blob_reference_relations() -> list[ForeignObjectRel]:
    """Every relation pointing at MediaBlob, found through Django's model metadata.

    This is how media learns who uses a blob (catalogue's media assets, customs'
    raw documents, anything added later) without importing any of those apps. Hidden
    relations (``related_name="+"``) count too.
    """
    return [
        field
        for field in MediaBlob._meta.get_fields(include_hidden=True)
        if isinstance(field, ForeignObjectRel)
    ]


def blob_list_unreferenced() -> QuerySet[MediaBlob]:
    """Blobs that no row of any model references."""
    queryset = MediaBlob.objects.all()
    for relation in blob_reference_relations():
        remote_field = relation.field
        target = "pk" if relation.many_to_many else remote_field.target_field.attname
        referencing = relation.related_model._base_manager.filter(
            **{remote_field.name: OuterRef(target)}
        )
        queryset = queryset.filter(~Exists(referencing))
    return queryset.order_by("created_at", "pk")


def blob_prune_candidates(*, min_age: timedelta) -> QuerySet[MediaBlob]:
    """Unreferenced blobs older than ``min_age`` (what ``blob_prune`` deletes)."""
    return blob_list_unreferenced().filter(created_at__lt=timezone.now() - min_age)


DIGEST_RE = re.compile(r"^[0-9a-f]{64}$")
ORPHAN_BATCH = 1000


def blob_orphan_keys(*, older_than: datetime) -> Iterator[str]:
    """Storage keys no row accounts for, last modified before ``older_than``.

    They are what a crash leaves behind: a staging file of an interrupted put, the file
    of a put whose transaction rolled back, thumbnails of a deleted blob. The age limit
    spares files that a put in progress is about to claim.
    """
    storage = blob_storage()
    batch: list[tuple[str, str | None]] = []
    for key in _walk(storage, ""):
        batch.append((key, _digest_of_key(key)))
        if len(batch) >= ORPHAN_BATCH:
            yield from _orphans_in(storage, batch, older_than)
            batch = []
    yield from _orphans_in(storage, batch, older_than)


def _walk(storage, prefix: str) -> Iterator[str]:
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{prefix}{name}"
    for name in sorted(directories):
        yield from _walk(storage, f"{prefix}{name}/")


def _digest_of_key(key: str) -> str | None:
    """The digest a key belongs to; None for staging files and anything unknown."""
    name = key.rsplit("/", 1)[-1]
    if key.startswith(f"{THUMBS_PREFIX}/"):
        name = name.removesuffix(".webp")
    return name if DIGEST_RE.match(name) else None


def _orphans_in(storage, batch: list[tuple[str, str | None]], older_than: datetime):
    digests = {digest for _key, digest in batch if digest}
    known = set(MediaBlob.objects.filter(digest__in=digests).values_list("digest", flat=True))
    for key, digest in batch:
        if digest in known and (key.startswith(f"{THUMBS_PREFIX}/") or key == blob_key(digest)):
            continue
        if storage.get_modified_time(key) < older_than:
            yield key
