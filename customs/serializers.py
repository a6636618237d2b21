"""Input and output shapes of the customs API (small, per endpoint)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customs.models import (
    ChangeKind,
    CustomsPriceEntry,
    CustomsPublication,
    CustomsSource,
    PublicationStatus,
)


class SourceOutput(serializers.ModelSerializer):
    class Meta:
        model = CustomsSource
        fields = [
            "id",
            "slug",
            "name",
            "country",
            "currency",
            "index_url",
            "discovery_adapter",
            "extractor_adapter",
            "enabled",
            "discovery_enabled",
            "carries_prices",
            "complete_lists",
            "citation",
            "notes",
        ]


class PublicationOutput(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    duplicate_of = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    citation = serializers.SerializerMethodField(
        help_text="The attribution the source's terms require with these prices, dated by "
        "the edition (Spain: Ministerio de Hacienda); blank when none is required."
    )

    def get_citation(self, obj: CustomsPublication) -> str:
        from customs.selectors import publication_citation

        return publication_citation(publication=obj)

    class Meta:
        model = CustomsPublication
        fields = [
            "id",
            "source",
            "external_id",
            "title",
            "arrete_date",
            "effective_date",
            "zone",
            "url",
            "status",
            "failed_stage",
            "error",
            "attempts",
            "content_hash",
            "duplicate_of",
            "entry_count",
            "discovered_at",
            "fetched_at",
            "parsed_at",
            "ingested_at",
            "failed_at",
            "citation",
        ]


class LegalTextOutput(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    nor = serializers.SerializerMethodField()
    eli = serializers.SerializerMethodField()

    class Meta:
        model = CustomsPublication
        fields = ["id", "source", "external_id", "title", "arrete_date", "nor", "eli"]

    def get_nor(self, obj: CustomsPublication) -> str:
        return obj.metadata.get("nor", "")

    def get_eli(self, obj: CustomsPublication) -> str:
        return obj.metadata.get("eli", "")


class PublicationDetailOutput(PublicationOutput):
    legal_texts = serializers.SerializerMethodField(
        help_text="The homologation arrêtés with the same effective date (DGDDI editions)."
    )

    class Meta(PublicationOutput.Meta):
        fields = [*PublicationOutput.Meta.fields, "metadata", "legal_texts"]

    @extend_schema_field(LegalTextOutput(many=True))
    def get_legal_texts(self, obj: CustomsPublication) -> list[dict]:
        from customs.selectors import publication_legal_texts

        return LegalTextOutput(publication_legal_texts(publication=obj), many=True).data


class PublicationQuery(serializers.Serializer):
    source = serializers.SlugField(required=False)
    status = serializers.ChoiceField(choices=PublicationStatus.choices, required=False)
    effective_from = serializers.DateField(required=False)
    effective_to = serializers.DateField(required=False)

    def validate(self, attrs):
        start, end = attrs.get("effective_from"), attrs.get("effective_to")
        if start and end and start > end:
            raise serializers.ValidationError("effective_from is after effective_to.")
        return attrs


class EntryOutput(serializers.ModelSerializer):
    class Meta:
        model = CustomsPriceEntry
        fields = [
            "id",
            "row_number",
            "raw_label",
            "new_label",
            "category",
            "supplier",
            "maker",
            "normalised_label",
            "brand_guess",
            "pack_size",
            "packaging",
            "unit_price",
            "pack_price",
            "surcharge_unit_price",
            "surcharge_pack_price",
            "zone",
            "old_unit_price",
            "old_pack_price",
            "unit_price_computed",
            "price_mismatch",
            "is_withdrawn",
            "currency_code",
            "tax_class",
            "change_kind",
            "parsed",
        ]


class EntryQuery(serializers.Serializer):
    change_kind = serializers.ChoiceField(choices=ChangeKind.choices, required=False)
    q = serializers.CharField(required=False, max_length=200)


DIFF_KINDS = [*ChangeKind.values, "disappeared", "all"]


class DiffQuery(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=DIFF_KINDS,
        required=False,
        default="all",
        help_text="One change kind, `disappeared` (entries of the previous edition no longer "
        "listed) or `all`.",
    )


class DiffOutput(serializers.Serializer):
    """The diff envelope: a summary and one page of entries."""

    publication = serializers.IntegerField()
    previous_publication = serializers.IntegerField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    disappeared = serializers.IntegerField()
    citation = serializers.CharField(help_text="Required attribution, dated; may be blank.")
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = EntryOutput(many=True)
