"""Safe image intake: from an upload, a local file or a URL, into the blob store.

An image is accepted only when all of these hold, checked in this order so that the
cheap checks run first and nothing is stored before the last one passes:

1. its size is within ``settings.MEDIA_MAX_IMAGE_BYTES`` (counted while streaming);
2. its first bytes are JPEG, PNG or WebP — the file name and the Content-Type header are
   never trusted, so SVG or HTML renamed ``.jpg`` is refused;
3. its declared dimensions stay within ``settings.MEDIA_MAX_IMAGE_PIXELS`` (a
   decompression bomb is refused before its pixels are decoded);
4. Pillow verifies the structure and then decodes every pixel (truncation, bad CRCs).

A refused image leaves no row and no file. Accepted images get WebP thumbnails (256 and
1024 px on the longest side), rendered once and kept in the store by (digest, size).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from cigarspace.http import (
    BlockedAddressError,
    DisallowedContentTypeError,
    FetchResult,
    HttpClient,
    HttpError,
    TooLargeError,
    TooManyRedirectsError,
)
from media.exceptions import (
    FetchFailedError,
    ImageRefusedError,
    SourceRefusedError,
    TooLargeRefusedError,
)
from media.models import MediaBlob
from media.selectors import blob_open, blob_path_or_none
from media.services import THUMBNAIL_SIZES, blob_put_file
from media.sniff import IMAGE_TYPES, SNIFF_BYTES, looks_like_markup, sniff_image_type
from media.storage import blob_storage, put_file, staging_file, thumbnail_key

logger = logging.getLogger(__name__)

PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
# Some CDNs label every object as a generic binary; the bytes are sniffed anyway.
ACCEPTED_CONTENT_TYPES = ("image/", "application/octet-stream", "binary/octet-stream")
THUMBNAIL_QUALITY = 82
COPY_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ImageInfo:
    mime_type: str
    width: int
    height: int


# --- checks ---------------------------------------------------------------------------


def image_inspect(path: Path, *, max_bytes: int | None = None) -> ImageInfo:
    """Validate the image at ``path`` (see the module docstring); raise a refusal if not."""
    cap = max_bytes if max_bytes is not None else settings.MEDIA_MAX_IMAGE_BYTES
    size = path.stat().st_size
    if size > cap:
        raise TooLargeRefusedError(
            f"The image is {size} bytes, over the limit of {cap} bytes.", code="too_large"
        )
    if size == 0:
        raise ImageRefusedError("The file is empty.", code="empty_file")
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
    mime_type = sniff_image_type(head)
    if mime_type is None:
        markup = looks_like_markup(head)
        if markup:
            raise ImageRefusedError(
                f"The file is {markup} disguised as an image; only JPEG, PNG and WebP "
                "are accepted.",
                code="disguised_markup",
            )
        raise ImageRefusedError(
            "The file is not a JPEG, PNG or WebP image.", code="unsupported_format"
        )
    width, height = _decode_fully(path, PILLOW_FORMATS[mime_type])
    return ImageInfo(mime_type=mime_type, width=width, height=height)


def _decode_fully(path: Path, pillow_format: str) -> tuple[int, int]:
    limit = settings.MEDIA_MAX_IMAGE_PIXELS
    try:
        # formats=[…]: Pillow must not fall back to another decoder than the sniffed one.
        with Image.open(path, formats=[pillow_format]) as image:
            width, height = image.size
            _check_pixels(width, height, limit)
            image.verify()
        # verify() leaves the image unusable and skips pixel data: decode it all too, which
        # is what catches a truncated JPEG.
        with Image.open(path, formats=[pillow_format]) as image:
            image.load()
    except Image.DecompressionBombError as exc:
        # Pillow's own guard, for dimensions so large our check never saw them.
        raise ImageRefusedError(
            f"The image is a decompression bomb: {exc}", code="decompression_bomb"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRefusedError(
            f"The image is truncated or corrupt: {exc}", code="corrupt_image"
        ) from None
    if width <= 0 or height <= 0:
        raise ImageRefusedError("The image has no pixels.", code="corrupt_image")
    return width, height


def _check_pixels(width: int, height: int, limit: int) -> None:
    if width * height > limit:
        raise ImageRefusedError(
            f"The image declares {width}x{height} = {width * height} pixels, over the limit "
            f"of {limit} (a decompression bomb or simply too large).",
            code="decompression_bomb",
        )


# --- intake ---------------------------------------------------------------------------


def image_put_path(path: Path, *, max_bytes: int | None = None) -> MediaBlob:
    """Validate a local image file and store it (copied) with its dimensions and thumbnails."""
    info = image_inspect(Path(path), max_bytes=max_bytes)
    blob = blob_put_file(Path(path), mime_type=info.mime_type, width=info.width, height=info.height)
    image_thumbnails_ensure(blob=blob, source=Path(path))
    return blob


def image_put_upload(upload: BinaryIO, *, max_bytes: int | None = None) -> MediaBlob:
    """Validate and store an uploaded file (a Django ``UploadedFile`` or any binary stream)."""
    cap = max_bytes if max_bytes is not None else settings.MEDIA_MAX_IMAGE_BYTES
    declared = getattr(upload, "size", None)
    if declared is not None and declared > cap:
        raise TooLargeRefusedError(
            f"The upload is {declared} bytes, over the limit of {cap} bytes.", code="too_large"
        )
    with tempfile.TemporaryDirectory(prefix="cigarspace-upload-") as directory:
        path = Path(directory) / "upload"
        _copy_capped(upload, path, cap)
        return image_put_path(path, max_bytes=cap)


def _copy_capped(stream: BinaryIO, path: Path, cap: int) -> None:
    if hasattr(stream, "seek"):
        stream.seek(0)
    written = 0
    with path.open("wb") as sink:
        while chunk := stream.read(COPY_CHUNK):
            written += len(chunk)
            if written > cap:
                raise TooLargeRefusedError(
                    f"The upload is over the limit of {cap} bytes.", code="too_large"
                )
            sink.write(chunk)


def image_put_url(url: str, *, client: HttpClient | None = None) -> tuple[MediaBlob, FetchResult]:
    """Download an image (guarded against private addresses on every hop) and store it.

    Returns the blob and the fetch result (final URL, status: the caller's provenance).
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise SourceRefusedError(
            f"Only http and https URLs are accepted, not {scheme or 'a relative'} URL: {url}",
            code="unsupported_scheme",
        )
    cap = settings.MEDIA_MAX_IMAGE_BYTES
    client = client or HttpClient(max_retries=2, guard_private=True)
    with tempfile.TemporaryDirectory(prefix="cigarspace-image-") as directory:
        dest = Path(directory) / "download"
        try:
            result = client.get(url, max_bytes=cap, dest=dest, accept_types=ACCEPTED_CONTENT_TYPES)
        except BlockedAddressError as exc:
            raise SourceRefusedError(str(exc), code="blocked_address") from None
        except TooLargeError as exc:
            raise TooLargeRefusedError(str(exc), code="too_large") from None
        except DisallowedContentTypeError as exc:
            raise ImageRefusedError(str(exc), code="unsupported_content_type") from None
        except TooManyRedirectsError as exc:
            raise FetchFailedError(str(exc), code="too_many_redirects") from None
        except HttpError as exc:
            raise FetchFailedError(f"Could not download the image: {exc}") from None
        return image_put_path(dest, max_bytes=cap), result


# --- thumbnails -----------------------------------------------------------------------


def image_thumbnails_ensure(
    *, blob: MediaBlob, sizes: tuple[int, ...] = THUMBNAIL_SIZES, source: Path | None = None
) -> list[str]:
    """Render the missing WebP thumbnails of an image blob; return the storage keys.

    Thumbnails are derived data keyed by (digest, size): rendered once, never rewritten.
    """
    if blob.mime_type not in IMAGE_TYPES:
        raise ImageRefusedError(
            f"Blob {blob.digest[:12]}… is {blob.mime_type}, not an image.", code="not_an_image"
        )
    storage = blob_storage()
    keys = {size: thumbnail_key(blob.digest, size) for size in sizes}
    missing = [size for size, key in keys.items() if not storage.exists(key)]
    if missing:
        _render(blob, missing, source)
    return list(keys.values())


def _render(blob: MediaBlob, sizes: list[int], source: Path | None) -> None:
    storage = blob_storage()
    local = source or blob_path_or_none(blob)
    handle = None if local is not None else blob_open(blob)
    pillow_format = PILLOW_FORMATS[blob.mime_type]
    try:
        with Image.open(local or handle, formats=[pillow_format]) as original:
            _check_pixels(*original.size, settings.MEDIA_MAX_IMAGE_PIXELS)
            image = ImageOps.exif_transpose(original)
            if image.mode not in ("RGB", "RGBA"):
                has_alpha = "A" in image.getbands() or "transparency" in image.info
                image = image.convert("RGBA" if has_alpha else "RGB")
            for size in sorted(sizes, reverse=True):
                thumb = image.copy()
                # Never upscale: a small picture keeps its own size.
                thumb.thumbnail((size, size), Image.Resampling.LANCZOS)
                with staging_file(storage) as (path, sink):
                    # No EXIF or ICC carried over: thumbnails leak no camera metadata.
                    thumb.save(sink, format="WEBP", quality=THUMBNAIL_QUALITY, method=4)
                    sink.close()
                    put_file(storage, thumbnail_key(blob.digest, size), path)
    finally:
        if handle is not None:
            handle.close()
