"""API input and output shapes of the merchants app (small, per endpoint)."""

from __future__ import annotations

from rest_framework import serializers

from merchants.models import CrawlRun, Merchant, MerchantOffer, MerchantProduct


class MerchantOutput(serializers.ModelSerializer):
    class Meta:
        model = Merchant
        fields = [
            "id",
            "name",
            "slug",
            "base_url",
            "country",
            "currency",
            "enabled",
            "crawl_delay_seconds",
            "crawl_every_hours",
            "sitemap_urls",
            "listing_urls",
            "adapter",
            "created_at",
            "updated_at",
        ]


class CrawlRunOutput(serializers.ModelSerializer):
    merchant = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    # A plain string in the schema: another "status" enum would collide with the
    # customs and matching ones in drf-spectacular's component names.
    status = serializers.CharField(help_text="running, incomplete, finished or failed.")
    trigger = serializers.CharField(help_text="command, task or admin.")

    class Meta:
        model = CrawlRun
        fields = [
            "id",
            "merchant",
            "status",
            "trigger",
            "started_at",
            "finished_at",
            "resumed_count",
            "pages_fetched",
            "pages_not_modified",
            "products_created",
            "products_updated",
            "products_unchanged",
            "cigars_created",
            "packages_unavailable",
            "images_added",
            "blocked_by_robots",
            "errors",
            "message",
        ]


class MerchantOfferOutput(serializers.ModelSerializer):
    """One offer of the page as read; ``pack_size`` null: the page states no pack."""

    class Meta:
        model = MerchantOffer
        fields = [
            "label",
            "pack_size",
            "packaging",
            "price",
            "currency",
            "is_available",
            "sku",
            "url",
            "source",
        ]


class MerchantProductOutput(serializers.ModelSerializer):
    cigar_name = serializers.CharField(source="cigar.full_name", read_only=True)
    cigar_needs_review = serializers.BooleanField(source="cigar.needs_review", read_only=True)
    offers = MerchantOfferOutput(many=True, read_only=True)

    class Meta:
        model = MerchantProduct
        fields = [
            "id",
            "url",
            "kind",
            "name",
            "brand",
            "line",
            "sku",
            "gtin",
            "cigar",
            "cigar_name",
            "cigar_needs_review",
            "resolution",
            "offers",
            "last_seen_at",
            "gone_at",
        ]


class CrawlInput(serializers.Serializer):
    resume = serializers.BooleanField(
        default=True, help_text="Continue the unfinished run if there is one."
    )


class CrawlQueuedOutput(serializers.Serializer):
    merchant = serializers.CharField()
    resume = serializers.BooleanField()
    queued = serializers.BooleanField()
