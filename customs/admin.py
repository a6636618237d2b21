"""Customs in the admin: sources, publications (lifecycle, retry), entries, fetches, runs.

Bulk actions queue background tasks (django-q2) after the commit instead of fetching
inside the request; every run then leaves a ``CustomsRun`` row visible here.
"""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django_q.tasks import async_task

from cigarspace.admin_base import ReadOnlyAdmin, _ModelT
from cigarspace.admin_extensions import ExtensibleAdmin
from customs.models import (
    CustomsFetch,
    CustomsPriceEntry,
    CustomsPublication,
    CustomsRun,
    CustomsSource,
    PublicationStage,
    PublicationStatus,
    RunOutcome,
)
from customs.selectors import publication_citation
from customs.services import publication_accept_count_drop

OUTCOME_COLOURS: dict[str, str] = {
    RunOutcome.OK: "#2e7d32",
    RunOutcome.FAILED: "#c62828",
    RunOutcome.NOT_CONFIGURED: "#ef6c00",
    RunOutcome.RUNNING: "#1565c0",
}
STATUS_COLOURS: dict[str, str] = {
    PublicationStatus.INGESTED: "#2e7d32",
    PublicationStatus.FAILED: "#c62828",
}


def _badge(text: str, colour: str | None) -> str:
    return format_html('<b style="color:{}">{}</b>', colour or "#555", text)


class AcceptCountDropForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="What you checked: kept with the publication, with your name.",
    )


class OfficialDataAdmin(ReadOnlyAdmin[_ModelT]):
    """Official data (publications, entries) as the pipeline wrote it: read-only.

    A status, a stage, a price or a label is never typed here: corrections go through the
    services (retry, the forced re-ingestion of a count drop), which record who and why.
    Nothing is deleted either: an entry may carry human decisions (the matches protect
    them), and a publication is the record of what was published.
    """

    deletable = False


@admin.register(CustomsSource)
class CustomsSourceAdmin(admin.ModelAdmin[CustomsSource]):
    list_display = (
        "slug",
        "name",
        "country",
        "currency",
        "enabled",
        "discovery_enabled",
        "carries_prices",
        "last_run",
    )
    list_filter = ("country", "enabled", "discovery_enabled")
    search_fields = ("slug", "name")
    actions = ["discover_now"]

    @admin.display(description="Last run")
    def last_run(self, obj: CustomsSource) -> str:
        run = obj.runs.order_by("-started_at").first()
        if run is None:
            return "—"
        return _badge(
            f"{run.kind} {run.outcome} ({run.started_at:%Y-%m-%d %H:%M})",
            OUTCOME_COLOURS.get(run.outcome),
        )

    @admin.action(description="Discover new publications now (background task)")
    def discover_now(self, request, queryset: QuerySet[CustomsSource]) -> None:
        slugs = list(queryset.values_list("slug", flat=True))
        for slug in slugs:
            transaction.on_commit(partial(async_task, "customs.tasks.discover_source", slug))
        self.message_user(
            request, f"Discovery queued for {len(slugs)} source(s).", messages.SUCCESS
        )


class FetchInline(admin.TabularInline[CustomsFetch, CustomsPublication]):
    model = CustomsFetch
    extra = 0
    can_delete = False
    fields = ("fetched_at", "purpose", "method", "http_status", "size", "attempts", "error")
    readonly_fields = fields
    ordering = ("-fetched_at",)
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class RunInline(admin.TabularInline[CustomsRun, CustomsPublication]):
    model = CustomsRun
    extra = 0
    can_delete = False
    fields = ("started_at", "kind", "trigger", "outcome", "message")
    readonly_fields = fields
    ordering = ("-started_at",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CustomsPublication)
class CustomsPublicationAdmin(
    ExtensibleAdmin[CustomsPublication], OfficialDataAdmin[CustomsPublication]
):
    """Other apps add columns, panels and actions through ``cigarspace.admin_extensions``
    (the review console: match counts, the diff, re-run matching)."""

    list_display = (
        "__str__",
        "source",
        "zone",
        "effective_date",
        "arrete_date",
        "coloured_status",
        "failed_stage",
        "entry_count",
        "duplicate_of",
        "updated_at",
    )
    list_filter = ("source", "zone", "status", "failed_stage")
    search_fields = ("title", "external_id", "url", "content_hash")
    list_select_related = ("source", "duplicate_of")
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
        "claimed_until",
        "created_at",
        "updated_at",
        "citation",
    )
    inlines = [FetchInline, RunInline]

    @admin.display(description="Citation required with these prices")
    def citation(self, obj: CustomsPublication) -> str:
        return publication_citation(publication=obj) or "—"

    actions = ["retry_failed", "accept_count_drop", "run_pending_stages"]

    @admin.display(description="Status", ordering="status")
    def coloured_status(self, obj: CustomsPublication) -> str:
        return _badge(obj.get_status_display(), STATUS_COLOURS.get(obj.status))

    @admin.action(description="Retry the selected failed publications (background tasks)")
    def retry_failed(self, request, queryset: QuerySet[CustomsPublication]) -> None:
        ids = list(queryset.filter(status=PublicationStatus.FAILED).values_list("pk", flat=True))
        for pk in ids:
            transaction.on_commit(partial(async_task, "customs.tasks.retry_publication", pk))
        skipped = queryset.count() - len(ids)
        self.message_user(
            request,
            f"Retry queued for {len(ids)} publication(s); {skipped} not failed, left alone.",
            messages.SUCCESS if ids else messages.WARNING,
        )

    @admin.action(description="Accept a suspected truncation (smaller edition) and retry…")
    def accept_count_drop(self, request, queryset: QuerySet[CustomsPublication]):
        failed = list(
            queryset.filter(status=PublicationStatus.FAILED, failed_stage=PublicationStage.PARSE)
        )
        form = AcceptCountDropForm(request.POST if request.POST.get("confirm") == "yes" else None)
        if form.is_bound and form.is_valid():
            for publication in failed:
                publication_accept_count_drop(
                    publication=publication, actor=request.user, reason=form.cleaned_data["reason"]
                )
            self.retry_failed(request, queryset.filter(pk__in=[p.pk for p in failed]))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Accept a smaller edition",
            "opts": self.model._meta,
            "publications": failed,
            "form": form,
            "action": "accept_count_drop",
        }
        return TemplateResponse(request, "admin/customs/accept_count_drop.html", context)

    @admin.action(description="Run the pending stages of the selected publications")
    def run_pending_stages(self, request, queryset: QuerySet[CustomsPublication]) -> None:
        from customs.tasks import queue_next_stage

        pending = queryset.filter(
            status__in=[
                PublicationStatus.DISCOVERED,
                PublicationStatus.FETCHED,
                PublicationStatus.PARSED,
            ],
            duplicate_of__isnull=True,
        )
        count = 0
        for publication in pending:
            queue_next_stage(publication)
            count += 1
        self.message_user(request, f"Next stage queued for {count} publication(s).")


@admin.register(CustomsPriceEntry)
class CustomsPriceEntryAdmin(OfficialDataAdmin[CustomsPriceEntry]):
    list_display = (
        "raw_label",
        "new_label",
        "pack_size",
        "unit_price",
        "pack_price",
        "surcharge_unit_price",
        "zone",
        "currency_code",
        "unit_price_computed",
        "price_mismatch",
        "change_kind",
        "publication",
    )
    list_filter = (
        "change_kind",
        "unit_price_computed",
        "price_mismatch",
        "is_withdrawn",
        "zone",
        "publication__source",
    )
    search_fields = ("raw_label", "normalised_label", "brand_guess")
    list_select_related = ("publication",)
    raw_id_fields = ("publication",)
    exclude = ("embedding",)
    readonly_fields = ("citation",)

    @admin.display(description="Citation required with this price")
    def citation(self, obj: CustomsPriceEntry) -> str:
        return publication_citation(publication=obj.publication) or "—"


@admin.register(CustomsFetch)
class CustomsFetchAdmin(ReadOnlyAdmin[CustomsFetch]):
    list_display = (
        "fetched_at",
        "purpose",
        "method",
        "url",
        "http_status",
        "size",
        "attempts",
        "adapter",
        "adapter_version",
        "short_error",
    )
    list_filter = ("purpose", "adapter", "http_status", "source")
    search_fields = ("url", "digest", "error")
    list_select_related = ("source", "publication")
    date_hierarchy = "fetched_at"

    @admin.display(description="Error")
    def short_error(self, obj: CustomsFetch) -> str:
        return obj.error[:80]


@admin.register(CustomsRun)
class CustomsRunAdmin(ReadOnlyAdmin[CustomsRun]):
    list_display = (
        "started_at",
        "kind",
        "source",
        "publication",
        "trigger",
        "coloured_outcome",
        "message",
        "finished_at",
    )
    list_filter = ("kind", "outcome", "trigger", "source")
    search_fields = ("message",)
    list_select_related = ("source", "publication")
    date_hierarchy = "started_at"

    @admin.display(description="Outcome", ordering="outcome")
    def coloured_outcome(self, obj: CustomsRun) -> str:
        return _badge(obj.get_outcome_display(), OUTCOME_COLOURS.get(obj.outcome))
