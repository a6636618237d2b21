"""Input and output serializers of the catalogue API (small, one purpose each)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from catalogue.models import (
    CIGAR_SUMMARY_COLUMNS,
    BlendComponent,
    BlendRole,
    Brand,
    Cigar,
    CigarLine,
    CigarPackage,
    MediaAsset,
    Packaging,
    Strength,
    TastingNote,
)
from catalogue.packages import MAX_PACK_SIZE

# --- output ----------------------------------------------------------------------------------


class BrandOutput(serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = [
            "id",
            "name",
            "slug",
            "country",
            "description",
            "website",
            "image_url",
            "aliases",
            "created_at",
            "updated_at",
        ]


class BrandRef(serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = ["id", "name", "slug"]


class LineOutput(serializers.ModelSerializer):
    brand = BrandRef()

    class Meta:
        model = CigarLine
        fields = ["id", "brand", "name", "slug", "description", "created_at", "updated_at"]


class LineRef(serializers.ModelSerializer):
    class Meta:
        model = CigarLine
        fields = ["id", "name", "slug"]


class CigarListOutput(serializers.ModelSerializer):
    brand = BrandRef(source="line.brand")
    line = LineRef()

    class Meta:
        model = Cigar
        fields = ["id", "slug", "full_name", "brand", "line", *CIGAR_SUMMARY_COLUMNS]


class CigarSearchOutput(CigarListOutput):
    score = serializers.FloatField(
        source="search_score",
        default=None,
        allow_null=True,
        read_only=True,
        help_text="Null outside a search. "
        "Trigram similarity, or the reciprocal-rank-fusion score when vectors "
        "are fused in; higher is better.",
    )

    class Meta(CigarListOutput.Meta):
        fields = [*CigarListOutput.Meta.fields, "score"]

    def to_representation(self, cigar: Cigar | Mapping[str, Any]) -> dict:
        # Lists serialise up to 200 rows a request: building the dict directly is several
        # times faster than field by field. The declared fields still describe it in the
        # schema, and a test checks both give the same output. Lists hand over rows
        # (selectors.CIGAR_ROW_FIELDS) rather than model instances, cheaper to load.
        if isinstance(cigar, Mapping):
            return {**_row_summary(cigar), "score": cigar.get("search_score")}
        return {**_cigar_summary(cigar), "score": getattr(cigar, "search_score", None)}


def _row_summary(row: Mapping[str, Any]) -> dict:
    """``_cigar_summary`` of a row of ``selectors.CIGAR_ROW_FIELDS``."""
    return {
        "id": row["id"],
        "slug": row["slug"],
        "full_name": row["full_name"],
        "brand": {
            "id": row["line__brand_id"],
            "name": row["line__brand__name"],
            "slug": row["line__brand__slug"],
        },
        "line": {"id": row["line_id"], "name": row["line__name"], "slug": row["line__slug"]},
        "vitola_name": row["vitola_name"],
        "vitola_de_galera": row["vitola_de_galera"],
        "length_mm": _decimal_text(row["length_mm"], 1),
        "ring_gauge": row["ring_gauge"],
        "weight_g": _decimal_text(row["weight_g"], 2),
        "shape": row["shape"],
        "strength": row["strength"],
        "country": row["country"],
        "is_discontinued": row["is_discontinued"],
    }


def _cigar_summary(cigar: Cigar) -> dict:
    """CigarListOutput's fields, built directly (see CigarSearchOutput.to_representation)."""
    line = cigar.line
    brand = line.brand
    return {
        "id": cigar.pk,
        "slug": cigar.slug,
        "full_name": cigar.full_name,
        "brand": {"id": brand.pk, "name": brand.name, "slug": brand.slug},
        "line": {"id": line.pk, "name": line.name, "slug": line.slug},
        "vitola_name": cigar.vitola_name,
        "vitola_de_galera": cigar.vitola_de_galera,
        "length_mm": _decimal_text(cigar.length_mm, 1),
        "ring_gauge": cigar.ring_gauge,
        "weight_g": _decimal_text(cigar.weight_g, 2),
        "shape": cigar.shape,
        "strength": cigar.strength,
        "country": cigar.country,
        "is_discontinued": cigar.is_discontinued,
    }


def _decimal_text(value: Decimal | None, places: int) -> str | None:
    # What DRF's DecimalField renders: a string with exactly ``places`` decimals.
    return None if value is None else f"{Decimal(value):.{places}f}"


# Unbound DRF fields format single values exactly as the declared fields do (time zone,
# "Z" suffix, decimal places) without building a serializer per object.
_DATETIME = serializers.DateTimeField()
_DATE = serializers.DateField()


class BlendOutput(serializers.ModelSerializer):
    class Meta:
        model = BlendComponent
        fields = ["role", "leaf", "country", "position"]


class PackageOutput(serializers.ModelSerializer):
    class Meta:
        model = CigarPackage
        fields = [
            "id",
            "pack_size",
            "packaging",
            "description",
            "price",
            "currency",
            "merchant",
            "source_url",
            "observed_at",
            "is_available",
        ]


# A picture of a cigar and its blob's facts, defined once: the cigar detail embeds it as
# is, the media API adds links (catalogue.media_api.MediaAssetOutput). Both class names are
# public schema components, kept; comments rather than docstrings, which the schema would
# publish.
class MediaOutput(serializers.ModelSerializer):
    digest = serializers.CharField(source="blob.digest")
    mime_type = serializers.CharField(source="blob.mime_type")
    width = serializers.IntegerField(source="blob.width", allow_null=True)
    height = serializers.IntegerField(source="blob.height", allow_null=True)
    size = serializers.IntegerField(source="blob.size")

    class Meta:
        model = MediaAsset
        fields = [
            "id",
            "asset_type",
            "is_primary",
            "position",
            "original_url",
            "digest",
            "mime_type",
            "width",
            "height",
            "size",
        ]


class TastingNoteOutput(serializers.ModelSerializer):
    class Meta:
        model = TastingNote
        fields = [
            "id",
            "cigar",
            "reviewer",
            "score",
            "text",
            "pairings",
            "tasted_on",
            "created_at",
            "updated_at",
        ]


class CigarDetailOutput(CigarListOutput):
    blend = BlendOutput(many=True)
    packages = PackageOutput(many=True)
    media = MediaOutput(many=True)
    tasting_notes = TastingNoteOutput(many=True)

    class Meta(CigarListOutput.Meta):
        fields = [
            *CigarListOutput.Meta.fields,
            "external_id",
            "wrapper_origin",
            "binder_origin",
            "filler_origin",
            "tasting_profile",
            "needs_review",
            "embedding_model",
            "blend",
            "packages",
            "media",
            "tasting_notes",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, cigar: Cigar) -> dict:
        # The detail endpoint is the API's busiest: DRF builds some forty field objects per
        # response when going field by field, a third of the request's CPU. Built directly
        # like the list rows; a test checks both give the same output.
        datetime_text = _DATETIME.to_representation
        return {
            **_cigar_summary(cigar),
            "external_id": cigar.external_id,
            "wrapper_origin": cigar.wrapper_origin,
            "binder_origin": cigar.binder_origin,
            "filler_origin": cigar.filler_origin,
            "tasting_profile": cigar.tasting_profile,
            "needs_review": cigar.needs_review,
            "embedding_model": cigar.embedding_model,
            "blend": [
                {"role": b.role, "leaf": b.leaf, "country": b.country, "position": b.position}
                for b in cigar.blend.all()
            ],
            "packages": [
                {
                    "id": p.pk,
                    "pack_size": p.pack_size,
                    "packaging": p.packaging,
                    "description": p.description,
                    "price": _decimal_text(p.price, 2),
                    "currency": p.currency,
                    "merchant": p.merchant,
                    "source_url": p.source_url,
                    "observed_at": datetime_text(p.observed_at) if p.observed_at else None,
                    "is_available": p.is_available,
                }
                for p in cigar.packages.all()
            ],
            "media": [
                {
                    "id": m.pk,
                    "asset_type": m.asset_type,
                    "is_primary": m.is_primary,
                    "position": m.position,
                    "original_url": m.original_url,
                    "digest": m.blob.digest,
                    "mime_type": m.blob.mime_type,
                    "width": m.blob.width,
                    "height": m.blob.height,
                    "size": m.blob.size,
                }
                for m in cigar.media.all()
            ],
            "tasting_notes": [
                {
                    "id": n.pk,
                    "cigar": n.cigar_id,
                    "reviewer": n.reviewer,
                    "score": n.score,
                    "text": n.text,
                    "pairings": n.pairings,
                    "tasted_on": _DATE.to_representation(n.tasted_on) if n.tasted_on else None,
                    "created_at": datetime_text(n.created_at),
                    "updated_at": datetime_text(n.updated_at),
                }
                for n in cigar.tasting_notes.all()
            ],
            "created_at": datetime_text(cigar.created_at),
            "updated_at": datetime_text(cigar.updated_at),
        }


class SimilarOutput(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=["vector", "trigram"],
        help_text="vector: HNSW cosine neighbours; trigram: the cigar has no embedding yet.",
    )
    results = CigarSearchOutput(many=True)


# --- input -----------------------------------------------------------------------------------


class BrandInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    country = serializers.CharField(max_length=64, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    image_url = serializers.URLField(required=False, allow_blank=True)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, max_length=50
    )


class LineInput(serializers.Serializer):
    brand = serializers.PrimaryKeyRelatedField(queryset=Brand.objects.all())
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True)


class BlendInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=BlendRole.choices)
    leaf = serializers.CharField(max_length=120, required=False, allow_blank=True)
    country = serializers.CharField(max_length=64, required=False, allow_blank=True)


class PackageInput(serializers.Serializer):
    pack_size = serializers.IntegerField(min_value=1, max_value=MAX_PACK_SIZE)
    packaging = serializers.ChoiceField(choices=Packaging.choices, default=Packaging.BOX)
    description = serializers.CharField(max_length=255, required=False, default="")


class CigarInput(serializers.Serializer):
    line = serializers.PrimaryKeyRelatedField(queryset=CigarLine.objects.select_related("brand"))
    vitola_name = serializers.CharField(max_length=160)
    external_id = serializers.CharField(max_length=120, required=False, allow_blank=True)
    vitola_de_galera = serializers.CharField(
        max_length=120, required=False, allow_null=True, allow_blank=True
    )
    length_mm = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=40, max_value=600, required=False, allow_null=True
    )
    ring_gauge = serializers.IntegerField(
        min_value=20, max_value=100, required=False, allow_null=True
    )
    weight_g = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )
    shape = serializers.CharField(max_length=64, required=False, allow_blank=True)
    wrapper_origin = serializers.CharField(max_length=64, required=False, allow_blank=True)
    binder_origin = serializers.CharField(max_length=64, required=False, allow_blank=True)
    filler_origin = serializers.CharField(max_length=160, required=False, allow_blank=True)
    country = serializers.CharField(max_length=64, required=False, allow_blank=True)
    strength = serializers.ChoiceField(
        choices=[*Strength.choices, ("", "Unknown")], required=False, allow_blank=True
    )
    tasting_profile = serializers.DictField(required=False)
    is_discontinued = serializers.BooleanField(required=False)
    blend = BlendInput(many=True, required=False, max_length=30)
    packages = PackageInput(many=True, required=False, max_length=50)


class TastingNoteInput(serializers.Serializer):
    cigar = serializers.PrimaryKeyRelatedField(queryset=Cigar.objects.defer("embedding"))
    reviewer = serializers.CharField(max_length=120)
    score = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)
    text = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    pairings = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, max_length=30
    )
    tasted_on = serializers.DateField(required=False, allow_null=True)
