"""The raw bytes of every fetched document go to the blob store (media).

Kept behind these two functions so the pipeline never touches storage details.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from media.models import MediaBlob
from media.selectors import blob_open, blob_path_or_none
from media.services import blob_put_file


def raw_document_store(*, path: Path, mime_type: str, max_bytes: int | None = None) -> MediaBlob:
    """Store the file's bytes (deduplicated by BLAKE3) and return the blob."""
    return blob_put_file(path, mime_type=mime_type, max_bytes=max_bytes)


@contextmanager
def raw_document_path(blob: MediaBlob, *, suffix: str = "") -> Iterator[Path]:
    """A local path on the blob's bytes: the stored file itself, or a streamed temporary copy."""
    local = blob_path_or_none(blob)
    if local is not None and local.exists() and (not suffix or local.suffix == suffix):
        yield local
        return
    with tempfile.TemporaryDirectory(prefix="customs-") as tmp:
        copy = Path(tmp) / f"document{suffix}"
        with blob_open(blob) as source, copy.open("wb") as target:
            shutil.copyfileobj(source, target, length=1024 * 1024)
        yield copy
