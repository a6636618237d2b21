"""The content-addressed blob store: one row per unique content, keyed by BLAKE3.

Images of cigars and the raw bytes of publications both live here. What a blob *means*
(a cigar's front picture, a DGDDI edition) is recorded by the app that uses it
(``catalogue.MediaAsset``, ``customs.CustomsPublication``): media imports no domain app.
"""

from __future__ import annotations

from django.db import models


class MediaBlob(models.Model):
    digest = models.CharField(
        max_length=64, unique=True, help_text="BLAKE3 hex digest of the bytes."
    )
    size = models.BigIntegerField(help_text="Size in bytes.")
    mime_type = models.CharField(max_length=127)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    storage_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "media_blob"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(digest__regex=r"^[0-9a-f]{64}$"),
                name="media_blob_digest_is_blake3_hex",
            ),
            models.CheckConstraint(condition=models.Q(size__gte=0), name="media_blob_size_gte_0"),
            models.CheckConstraint(
                condition=(
                    models.Q(width__isnull=True, height__isnull=True)
                    | models.Q(width__isnull=False, height__isnull=False, width__gt=0, height__gt=0)
                ),
                name="media_blob_dimensions_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.digest[:12]}… ({self.mime_type}, {self.size} B)"
