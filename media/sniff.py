"""Content type from the first bytes of a file: extensions and headers are never trusted."""

from __future__ import annotations

SNIFF_BYTES = 512

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
IMAGE_TYPES = (JPEG, PNG, WEBP)

_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def sniff_image_type(head: bytes) -> str | None:
    """The MIME type of an allowed image format (JPEG, PNG, WebP), else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def looks_like_markup(head: bytes) -> str | None:
    """'SVG' or 'HTML' when the bytes are markup (the classic image disguise), else None."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not text.startswith(b"<"):
        return None
    if b"<svg" in text:
        return "SVG"
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return "HTML"
    if text.startswith(b"<?xml") and b"<svg" not in text:
        return None
    return "HTML"


def sniff_mime_type(head: bytes) -> str:
    """A best-effort MIME type for any blob (images, price lists, PDFs, XML, JSON)."""
    image = sniff_image_type(head)
    if image:
        return image
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        # An OpenDocument file stores its type uncompressed as the first member.
        if head[30:38] == b"mimetype" and _ODS_MIMETYPE in head[:120]:
            return "application/vnd.oasis.opendocument.spreadsheet"
        return "application/zip"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    markup = looks_like_markup(stripped)
    if markup == "SVG":
        return "image/svg+xml"
    if stripped.startswith(b"<?xml"):
        return "application/xml"
    if markup == "HTML":
        return "text/html"
    if stripped[:1] in (b"{", b"["):
        return "application/json"
    if not head or b"\x00" in head:
        return "application/octet-stream"
    # A multi-byte character cut at the sniff boundary still counts as text.
    text = head[:-3] if len(head) >= SNIFF_BYTES else head
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"
