"""Where blob bytes live: the Django storage named "blobs", and its key layout.

Keys are sharded by digest prefix (``ab/cd/abcd…``) so no directory grows past a few
thousand entries. Writes never overwrite: the bytes behind a key are, by construction,
the bytes of its digest, so an existing file is already the right one.

On the file system the write is atomic (a temp file in the target directory, then a
hard link to the final name, which fails instead of replacing an existing file): a
reader never sees half a file, even when two processes store the same bytes at once.
Other backends (S3…) go through ``Storage.save``, whose uploads are atomic per object.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages

STORAGE_ALIAS = "blobs"
THUMBS_PREFIX = "thumbs"


def blob_storage() -> Storage:
    # Looked up on every call, not cached at import: tests and deployments swap STORAGES.
    return storages[STORAGE_ALIAS]


def blob_key(digest: str) -> str:
    return f"{digest[:2]}/{digest[2:4]}/{digest}"


def thumbnail_key(digest: str, size: int) -> str:
    return f"{THUMBS_PREFIX}/{size}/{digest[:2]}/{digest[2:4]}/{digest}.webp"


def local_root(storage: Storage) -> Path | None:
    """The directory of a file-system storage, or None for remote backends."""
    if isinstance(storage, FileSystemStorage):
        return Path(storage.location)
    return None


@contextlib.contextmanager
def staging_file(storage: Storage) -> Iterator[tuple[Path, object]]:
    """A temp file to stream into, removed on exit unless it was moved into place.

    For a file-system storage the temp file sits under the storage root, so the final
    link is a same-file-system operation (atomic, no copy).
    """
    root = local_root(storage)
    directory = None
    if root is not None:
        directory = root / ".tmp"
        directory.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  (closed in finally)
        dir=directory, prefix="put-", suffix=".part", delete=False
    )
    path = Path(handle.name)
    try:
        yield path, handle
    finally:
        handle.close()
        path.unlink(missing_ok=True)


def put_file(storage: Storage, key: str, path: Path) -> bool:
    """Move the file at ``path`` to ``key`` unless the key exists. True if written.

    ``path`` is left in place (the caller's staging context removes it).
    """
    root = local_root(storage)
    if root is not None:
        target = root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            # link(2) refuses to replace an existing name: never overwrite, race-free.
            os.link(path, target)
        except FileExistsError:
            return False
        except OSError:
            # A file system without hard links (some network mounts): rename instead. A
            # racing writer can only replace the file with the very same bytes.
            if target.exists():
                return False
            os.replace(path, target)
        # Readable by a web server process; the store is not a secret.
        with contextlib.suppress(OSError):
            target.chmod(0o644)
        return True
    if storage.exists(key):
        return False
    with path.open("rb") as source:
        saved = storage.save(key, File(source))
    if saved != key:
        # Another writer won the race and the backend picked a new name: drop ours.
        storage.delete(saved)
        return False
    return True


def delete_key(storage: Storage, key: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        storage.delete(key)
