"""Admin: the merchant registry (saved through the services), crawl runs with their
summary and frontier, and the product pages resolved to cigars."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django_q.tasks import async_task

from cigarspace.admin_base import ReadOnlyAdmin
from merchants.models import (
    CrawlRun,
    CrawlUrl,
    Merchant,
    MerchantOffer,
    MerchantProduct,
    RunStatus,
)
from merchants.services import MERCHANT_FIELDS, merchant_save_instance, merchant_validate

STATUS_COLOURS: dict[str, str] = {
    RunStatus.RUNNING: "#1f6fb2",
    RunStatus.INCOMPLETE: "#b26b00",
    RunStatus.FINISHED: "#2e7d32",
    RunStatus.FAILED: "#c62828",
}


class MerchantForm(forms.ModelForm):
    class Meta:
        model = Merchant
        fields = list(MERCHANT_FIELDS)

    def _post_clean(self) -> None:
        # After the form has filled the instance: selectors, the URL pattern and the URL
        # lists are checked as the service checks them, so a broken selector is a form
        # error next to its field, not a failed crawl later.
        # Django's private hook, absent from the stubs.
        super()._post_clean()  # type: ignore[misc]
        if not self.errors:
            try:
                merchant_validate(merchant=self.instance)
            except ValidationError as exc:
                self._update_errors(exc)  # type: ignore[attr-defined]


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin[Merchant]):
    form = MerchantForm
    list_display = (
        "name",
        "slug",
        "base_url",
        "currency",
        "enabled",
        "crawl_delay_seconds",
        "last_run",
    )
    list_filter = ("enabled", "country", "currency")
    search_fields = ("name", "slug", "base_url")
    prepopulated_fields = {"slug": ("name",)}
    actions = ["crawl_now", "resume_crawl"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "base_url", "country", "currency", "enabled")}),
        (
            "Discovery",
            {
                "fields": (
                    "sitemap_urls",
                    "product_url_pattern",
                    "listing_urls",
                    "product_link_selector",
                    "next_page_selector",
                )
            },
        ),
        ("Extraction", {"fields": ("adapter", "selectors")}),
        (
            "Politeness and limits",
            {
                "fields": (
                    "crawl_delay_seconds",
                    "crawl_every_hours",
                    "max_pages",
                    "max_page_bytes",
                    "max_images_per_product",
                )
            },
        ),
        (None, {"fields": ("notes",)}),
    )

    @admin.display(description="Last run")
    def last_run(self, obj: Merchant) -> str:
        # One query per row: shops are a handful, runs are indexed by start time.
        run = obj.runs.order_by("-started_at", "-id").first()
        if run is None:
            return "never"
        url = reverse("admin:merchants_crawlrun_change", args=[run.pk])
        return format_html(
            '<a href="{}">{} ({})</a>',
            url,
            run.get_status_display(),
            run.started_at.strftime("%Y-%m-%d %H:%M"),
        )

    def save_model(self, request, obj: Merchant, form, change) -> None:
        # The service validates again and re-registers the schedules.
        merchant_save_instance(merchant=obj)

    def _queue(self, request, queryset: QuerySet[Merchant], resume: bool) -> None:
        slugs = list(queryset.filter(enabled=True).values_list("slug", flat=True))
        for slug in slugs:
            task = (
                "merchants.tasks.crawl_merchant" if resume else "merchants.tasks.crawl_merchant_new"
            )
            transaction.on_commit(partial(async_task, task, slug))
        skipped = queryset.count() - len(slugs)
        note = f" ({skipped} disabled skipped)" if skipped else ""
        self.message_user(request, f"Queued a crawl of {len(slugs)} merchant(s){note}.")

    @admin.action(description="Crawl now (a new run)")
    def crawl_now(self, request, queryset: QuerySet[Merchant]) -> None:
        self._queue(request, queryset, resume=False)

    @admin.action(description="Resume the unfinished run (or start one)")
    def resume_crawl(self, request, queryset: QuerySet[Merchant]) -> None:
        self._queue(request, queryset, resume=True)


@admin.register(CrawlRun)
class CrawlRunAdmin(ReadOnlyAdmin[CrawlRun]):
    list_display = (
        "id",
        "merchant",
        "coloured_status",
        "trigger",
        "started_at",
        "finished_at",
        "pages_fetched",
        "products_created",
        "products_updated",
        "products_unchanged",
        "cigars_created",
        "errors",
    )
    list_filter = ("status", "merchant", "trigger")
    list_select_related = ("merchant",)
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in CrawlRun._meta.fields] + ["summary_text", "frontier"]

    @admin.display(description="Status", ordering="status")
    def coloured_status(self, obj: CrawlRun) -> str:
        return format_html(
            '<b style="color:{}">{}</b>',
            STATUS_COLOURS.get(obj.status, "#444"),
            obj.get_status_display(),
        )

    @admin.display(description="Summary")
    def summary_text(self, obj: CrawlRun) -> str:
        return obj.summary()

    @admin.display(description="Frontier")
    def frontier(self, obj: CrawlRun) -> str:
        url = reverse("admin:merchants_crawlurl_changelist") + f"?run__id__exact={obj.pk}"
        return format_html('<a href="{}">{} URLs</a>', url, obj.urls.count())


@admin.register(CrawlUrl)
class CrawlUrlAdmin(ReadOnlyAdmin[CrawlUrl]):
    list_display = ("url", "kind", "state", "http_status", "attempts", "run", "fetched_at")
    list_filter = ("state", "kind", "run__merchant")
    search_fields = ("url",)
    list_select_related = ("run__merchant",)
    # Counting a large frontier is the slow part of a changelist; an estimate is enough.
    show_full_result_count = False


class MerchantOfferInline(admin.TabularInline[MerchantOffer, MerchantProduct]):
    """Every offer of the page as read, with its source; "pack not stated" offers price
    no catalogue package."""

    model = MerchantOffer
    extra = 0
    can_delete = False
    fields = (
        "label",
        "pack_size",
        "packaging",
        "price",
        "currency",
        "is_available",
        "sku",
        "source",
        "package",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MerchantProduct)
class MerchantProductAdmin(admin.ModelAdmin[MerchantProduct]):
    list_display = (
        "name",
        "merchant",
        "kind",
        "cigar_link",
        "resolution",
        "last_seen_at",
        "gone_at",
    )
    list_filter = ("merchant", "kind", "resolution", ("gone_at", admin.EmptyFieldListFilter))
    inlines = (MerchantOfferInline,)
    search_fields = ("name", "url", "sku", "cigar__full_name")
    list_select_related = ("merchant", "cigar")
    raw_id_fields = ("cigar",)
    readonly_fields = (
        "merchant",
        "url",
        "name",
        "kind",
        "brand",
        "line",
        "sku",
        "gtin",
        "content_hash",
        "resolution",
        "resolution_note",
        "last_seen_at",
        "gone_at",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Cigar", ordering="cigar__full_name")
    def cigar_link(self, obj: MerchantProduct) -> str:
        if obj.cigar is None:
            return f"— ({obj.get_kind_display().lower()})"
        url = reverse("admin:catalogue_cigar_change", args=[obj.cigar_id])
        flag = " ⚑ review" if obj.cigar.needs_review else ""
        return format_html('<a href="{}">{}</a>{}', url, obj.cigar.full_name, flag)
