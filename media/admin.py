from __future__ import annotations

from django.contrib import admin

from media.models import MediaBlob


@admin.register(MediaBlob)
class MediaBlobAdmin(admin.ModelAdmin):
    """Read-only: blobs are written by the blob store only, never edited."""

    list_display = ("digest", "mime_type", "size", "width", "height", "created_at")
    list_filter = ("mime_type",)
    search_fields = ("=digest", "storage_key")
    readonly_fields = [f.name for f in MediaBlob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
