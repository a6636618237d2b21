from __future__ import annotations

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html

from cigarspace.admin_base import ReadOnlyAdmin
from media.models import MediaBlob
from media.sniff import IMAGE_TYPES

PREVIEW_SIZE = 256


def blob_preview_html(blob: MediaBlob | None, *, height: int = 96) -> str:
    """An <img> of the blob's 256 px thumbnail linking to the original, or a download link.

    Shared with the catalogue's media inline (catalogue imports media, not the reverse).
    """
    if blob is None or not blob.pk:
        return "—"
    original = reverse("media-blob-download", args=[blob.digest])
    if blob.mime_type not in IMAGE_TYPES:
        return format_html('<a href="{}">Download ({})</a>', original, blob.mime_type)
    thumbnail = reverse("media-blob-thumbnail", args=[blob.digest, PREVIEW_SIZE])
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">'
        '<img src="{}" alt="" loading="lazy" style="max-height:{}px;max-width:{}px"></a>',
        original,
        thumbnail,
        height,
        height * 2,
    )


@admin.register(MediaBlob)
class MediaBlobAdmin(ReadOnlyAdmin[MediaBlob]):
    """Read-only: blobs are written by the blob store only, never edited; unused ones are
    removed by ``manage.py prune_blobs`` (which also removes their files)."""

    deletable = False  # it would leave the file behind; prune_blobs deletes both

    list_display = (
        "thumbnail",
        "digest",
        "mime_type",
        "human_size",
        "width",
        "height",
        "created_at",
    )
    list_display_links = ("digest",)
    list_filter = ("mime_type",)
    search_fields = ("=digest", "storage_key")
    readonly_fields = ["preview", *(f.name for f in MediaBlob._meta.fields)]
    date_hierarchy = "created_at"

    @admin.display(description="")
    def thumbnail(self, obj: MediaBlob) -> str:
        return blob_preview_html(obj, height=48)

    @admin.display(description="Preview")
    def preview(self, obj: MediaBlob) -> str:
        return blob_preview_html(obj, height=256)

    @admin.display(description="Size", ordering="size")
    def human_size(self, obj: MediaBlob) -> str:
        return filesizeformat(obj.size)
