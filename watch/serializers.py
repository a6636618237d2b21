"""Input and output shapes of the price watch API (small, per endpoint)."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from customs.models import CustomsSource
from watch.models import (
    Language,
    WatchEvent,
    Watchlist,
    WatchScope,
    WebhookDelivery,
    WebhookEndpoint,
)
from watch.selectors import event_data
from watch.services.watchlists import MAX_ITEMS
from watch.tariff import FORMATS


class WatchItemField(serializers.Serializer):
    scope = serializers.ChoiceField(choices=WatchScope.choices)
    id = serializers.IntegerField(min_value=1, max_value=2**62)


class WatchItemOutput(serializers.Serializer):
    scope = serializers.CharField()
    id = serializers.IntegerField(source="target_id")
    name = serializers.SerializerMethodField()

    def get_name(self, item) -> str:
        return str(item.cigar or item.line or item.brand or item.source or "")


class WatchlistOutput(serializers.ModelSerializer):
    items = WatchItemOutput(many=True, read_only=True)
    feed_url = serializers.SerializerMethodField()

    class Meta:
        model = Watchlist
        fields = [
            "id",
            "name",
            "country",
            "language",
            "email_digest",
            "items",
            "feed_url",
            "created_at",
            "updated_at",
        ]

    def get_feed_url(self, watchlist: Watchlist) -> str:
        return f"{settings.SITE_URL.rstrip('/')}/feeds/watchlists/{watchlist.feed_token}/"


class WatchlistInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", required=False, allow_blank=True, help_text="Blank: every country."
    )
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    email_digest = serializers.BooleanField(required=False)
    items = WatchItemField(many=True, required=False, max_length=MAX_ITEMS)


class WatchEventOutput(serializers.ModelSerializer):
    data = serializers.SerializerMethodField(
        help_text="The line, its cigar, prices before and after, pack size, effective date."
    )

    class Meta:
        model = WatchEvent
        fields = [
            "id",
            "kind",
            "hold",
            "publication",
            "entry",
            "cigar",
            "effective_date",
            "data",
            "created_at",
        ]

    def get_data(self, event: WatchEvent) -> dict:
        return event_data(event)


class WebhookEndpointOutput(serializers.ModelSerializer):
    secret_hint = serializers.CharField(read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "watchlist",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "secret_hint",
            "created_at",
        ]


class WebhookEndpointCreatedOutput(WebhookEndpointOutput):
    secret = serializers.CharField(
        read_only=True, help_text="Shown once: keep it to verify the signatures."
    )

    class Meta(WebhookEndpointOutput.Meta):
        fields = [*WebhookEndpointOutput.Meta.fields, "secret"]


class WebhookEndpointInput(serializers.Serializer):
    url = serializers.URLField(max_length=2000)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    watchlist = serializers.IntegerField(
        min_value=1, max_value=2**62, required=False, allow_null=True
    )


class WebhookEndpointPatch(serializers.Serializer):
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(
        required=False, help_text="true re-enables a disabled endpoint; false pauses it."
    )


class WebhookDeliveryOutput(serializers.ModelSerializer):
    event_kind = serializers.CharField(source="event.kind", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_kind",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]


class PricePointOutput(serializers.Serializer):
    cigar_id = serializers.IntegerField()
    cigar = serializers.CharField()
    source = serializers.CharField()
    pack_size = serializers.IntegerField(allow_null=True)
    packaging = serializers.CharField()
    currency = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    pack_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    effective_date = serializers.DateField()
    publication_id = serializers.IntegerField()
    entry_id = serializers.IntegerField()
    label = serializers.CharField()
    is_withdrawn = serializers.BooleanField()


class UpcomingOutput(serializers.Serializer):
    upcoming = PricePointOutput()
    in_force = PricePointOutput(allow_null=True)


class CigarPricesNowOutput(serializers.Serializer):
    date = serializers.DateField()
    in_force = PricePointOutput(many=True)
    upcoming = PricePointOutput(many=True)


def _source_by_slug(slug: str) -> CustomsSource:
    source = CustomsSource.objects.filter(slug=slug).first()
    if source is None:
        raise serializers.ValidationError(f"No source {slug!r}.")
    return source


class UpcomingQuery(serializers.Serializer):
    source = serializers.SlugField(required=False, help_text="Source slug.")
    cigar = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    date = serializers.DateField(required=False, help_text="Today when omitted.")

    def validate_source(self, value: str) -> CustomsSource:
        return _source_by_slug(value)


class DateQuery(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Today when omitted.")


class TariffQuery(serializers.Serializer):
    date = serializers.DateField(help_text="The day the prices are in force.")
    source = serializers.SlugField(help_text="Source slug, e.g. fr-douane-opendata.")
    format = serializers.ChoiceField(choices=FORMATS, required=False, default="json")

    def validate_source(self, value: str) -> CustomsSource:
        return _source_by_slug(value)


class TariffRowOutput(serializers.Serializer):
    cigar_id = serializers.IntegerField()
    cigar = serializers.CharField()
    pack_size = serializers.IntegerField(allow_null=True)
    packaging = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    pack_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    effective_date = serializers.DateField()
    publication_id = serializers.IntegerField()
    entry_id = serializers.IntegerField()
    label = serializers.CharField()


class TariffOutput(serializers.Serializer):
    source = serializers.CharField()
    date = serializers.DateField()
    edition_id = serializers.IntegerField(allow_null=True)
    citation = serializers.CharField()
    count = serializers.IntegerField()
    results = TariffRowOutput(many=True)
