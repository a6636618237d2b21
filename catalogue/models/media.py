"""Pictures of a cigar (blobs live in the media app)."""

from __future__ import annotations

from django.db import models

from catalogue.models.cigars import Cigar


class AssetType(models.TextChoices):
    FRONT = "front", "Front"
    BAND = "band", "Band"
    FOOT = "foot", "Foot"
    BOX = "box", "Box"
    LIFESTYLE = "lifestyle", "Lifestyle"
    OTHER = "other", "Other"


class MediaAsset(models.Model):
    """A cigar's picture: a link to a blob of the media store (table ``media_asset``).

    It lives in the catalogue because it points to a cigar, and media imports no domain app.
    """

    AssetType = AssetType

    cigar = models.ForeignKey(Cigar, on_delete=models.CASCADE, related_name="media")
    blob = models.ForeignKey("media.MediaBlob", on_delete=models.PROTECT, related_name="assets")
    original_url = models.URLField(max_length=2000, blank=True)
    asset_type = models.CharField(max_length=16, choices=AssetType.choices, default=AssetType.FRONT)
    is_primary = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "media_asset"
        ordering = ["cigar", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cigar"],
                condition=models.Q(is_primary=True),
                name="media_asset_one_primary_per_cigar",
            ),
            models.UniqueConstraint(
                fields=["cigar", "blob"], name="media_asset_blob_once_per_cigar"
            ),
            models.CheckConstraint(
                condition=models.Q(asset_type__in=AssetType.values),
                name="media_asset_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_asset_type_display()} of {self.cigar_id}"
