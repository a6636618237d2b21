from __future__ import annotations

from django.contrib import admin

from customs.models import CustomsPriceEntry, CustomsPublication, CustomsSource


@admin.register(CustomsSource)
class CustomsSourceAdmin(admin.ModelAdmin):
    list_display = (
        "slug",
        "name",
        "country",
        "currency",
        "enabled",
        "discovery_enabled",
        "carries_prices",
    )
    list_filter = ("country", "enabled", "discovery_enabled")
    search_fields = ("slug", "name")


@admin.register(CustomsPublication)
class CustomsPublicationAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "source",
        "effective_date",
        "arrete_date",
        "status",
        "failed_stage",
        "entry_count",
        "updated_at",
    )
    list_filter = ("source", "status", "failed_stage")
    search_fields = ("title", "external_id", "url", "content_hash")
    list_select_related = ("source",)
    date_hierarchy = "effective_date"
    raw_id_fields = ("raw_blob", "duplicate_of")
    readonly_fields = (
        "content_hash",
        "discovered_at",
        "fetched_at",
        "parsed_at",
        "ingested_at",
        "failed_at",
        "entry_count",
        "created_at",
        "updated_at",
    )


@admin.register(CustomsPriceEntry)
class CustomsPriceEntryAdmin(admin.ModelAdmin):
    list_display = (
        "raw_label",
        "pack_size",
        "unit_price",
        "pack_price",
        "currency_code",
        "change_kind",
        "publication",
    )
    list_filter = ("change_kind", "unit_price_computed", "price_mismatch", "publication__source")
    search_fields = ("raw_label", "normalised_label", "brand_guess")
    list_select_related = ("publication",)
    raw_id_fields = ("publication",)
    exclude = ("embedding",)
