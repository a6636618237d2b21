"""The price watch in the admin: watchlists, events, suspect changes to decide, webhook
endpoints with their delivery log (replay), e-mail digests.

Every action calls the same services as the API and the tasks. Nothing here deletes a
decision or a log row: the log and the events are read-only.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.html import format_html

from cigarspace.admin_base import ReadOnlyMixin
from matching.admin.charts import daily_bars_svg
from watch.models import (
    DeliveryStatus,
    EmailDigest,
    SuspectChange,
    WatchEvent,
    WatchItem,
    Watchlist,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from watch.services import (
    SuspectAlreadyDecided,
    delivery_replay,
    endpoint_enable,
    suspect_confirm,
    suspect_reject,
)
from watch.services.webhooks import endpoint_disable
from watch.tasks import queue_delivery

CHART_DAYS = 14


class WatchItemInline(admin.TabularInline):
    model = WatchItem
    extra = 0
    raw_id_fields = ("cigar", "line", "brand")
    fields = ("scope", "cigar", "line", "brand", "source")


@admin.register(Watchlist)
class WatchlistAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "country", "language", "email_digest", "item_count")
    list_filter = ("language", "email_digest", "country")
    search_fields = ("name", "owner__email")
    raw_id_fields = ("owner",)
    readonly_fields = ("feed_token", "created_at", "updated_at")
    inlines = [WatchItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_items=Count("items"))

    @admin.display(description="items", ordering="n_items")
    def item_count(self, obj) -> int:
        return obj.n_items


@admin.register(WatchEvent)
class WatchEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    deletable = False  # what was told, to whom: an audit
    list_display = ("created_at", "kind", "hold", "watchlist", "cigar", "effective_date")
    list_filter = ("kind", "hold")
    search_fields = ("watchlist__name", "cigar__full_name")
    list_select_related = ("watchlist", "cigar")
    date_hierarchy = "created_at"


@admin.register(SuspectChange)
class SuspectChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Held price changes: confirm (the events go out) or mark a source error (they never
    do, and the previous price stays in force)."""

    list_display = (
        "entry_label",
        "reason",
        "ratio",
        "unit_change",
        "pack_change",
        "status",
        "held_events",
        "decided_by",
    )
    deletable = False  # decisions are kept
    list_filter = ("status", "reason")
    search_fields = ("entry__raw_label",)
    list_select_related = ("entry", "decided_by")
    actions = ["confirm_changes", "mark_source_errors"]

    @admin.display(description="label")
    def entry_label(self, obj: SuspectChange) -> str:
        return obj.entry.new_label or obj.entry.raw_label

    @admin.display(description="unit price")
    def unit_change(self, obj: SuspectChange) -> str:
        return f"{obj.old_unit_price} → {obj.new_unit_price}"

    @admin.display(description="pack price")
    def pack_change(self, obj: SuspectChange) -> str:
        return f"{obj.old_pack_price} → {obj.new_pack_price} ({obj.entry.pack_size or '?'})"

    @admin.display(description="held events")
    def held_events(self, obj: SuspectChange) -> int:
        return WatchEvent.objects.filter(entry_id=obj.entry_id, hold="held").count()

    def _decide(self, request, queryset, decide, verb: str) -> None:
        done = 0
        for suspect in queryset.select_related("entry"):
            try:
                event_ids = decide(suspect=suspect, actor=request.user, note=f"admin: {verb}")
            except SuspectAlreadyDecided as exc:
                self.message_user(request, f"{suspect}: {exc}", messages.WARNING)
                continue
            if decide is suspect_confirm:
                queue_delivery(publication_id=suspect.entry.publication_id, event_ids=event_ids)
            done += 1
        if done:
            self.message_user(request, f"{done} change(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Confirm: the change is real (release its alerts)")
    def confirm_changes(self, request, queryset) -> None:
        self._decide(request, queryset, suspect_confirm, "confirmed")

    @admin.action(description="Source error: keep the previous price, drop the alerts")
    def mark_source_errors(self, request, queryset) -> None:
        self._decide(request, queryset, suspect_reject, "marked as source errors")

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("watch.view_suspectchange") or request.user.has_perm(
            "watch.decide_suspectchange"
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("watch.decide_suspectchange"):
            return {}
        return actions


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("attempted_at", "status_code", "error", "duration_ms", "replay")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def attempts_per_day(endpoint_id: int | None = None) -> list[tuple[dt.date, int]]:
    today = timezone.localdate()
    first = today - dt.timedelta(days=CHART_DAYS - 1)
    attempts = WebhookAttempt.objects.filter(attempted_at__date__gte=first)
    if endpoint_id is not None:
        attempts = attempts.filter(delivery__endpoint_id=endpoint_id)
    rows = dict(
        attempts.annotate(day=TruncDate("attempted_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    days = [first + dt.timedelta(days=i) for i in range(CHART_DAYS)]
    return [(day, rows.get(day, 0)) for day in days]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = (
        "url",
        "owner",
        "watchlist",
        "is_active",
        "consecutive_failures",
        "disabled_reason",
    )
    list_filter = ("is_active",)
    search_fields = ("url", "owner__email")
    raw_id_fields = ("owner", "watchlist")
    # The secret never shows again after creation: only its first characters.
    readonly_fields = (
        "secret_hint",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "attempts_chart",
    )
    fields = (
        "owner",
        "watchlist",
        "url",
        "description",
        "is_active",
        "secret_hint",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "attempts_chart",
    )
    actions = ["enable_endpoints", "disable_endpoints"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # created through the API, which shows the secret once

    @admin.display(description=f"attempts per day ({CHART_DAYS} days)")
    def attempts_chart(self, obj: WebhookEndpoint) -> str:
        return daily_bars_svg(attempts_per_day(obj.pk), width=420)

    @admin.action(description="Enable again (failures start from zero)")
    def enable_endpoints(self, request, queryset) -> None:
        for endpoint in queryset:
            endpoint_enable(endpoint=endpoint)
        self.message_user(request, f"{queryset.count()} endpoint(s) enabled.", messages.SUCCESS)

    @admin.action(description="Disable")
    def disable_endpoints(self, request, queryset) -> None:
        for endpoint in queryset.filter(is_active=True):
            endpoint_disable(
                endpoint=endpoint, reason=f"Disabled by {request.user}.", now=timezone.now()
            )
        self.message_user(request, "Disabled.", messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    deletable = False  # the delivery log
    list_display = (
        "pk",
        "endpoint",
        "event_kind",
        "status_badge",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status",)
    search_fields = ("endpoint__url",)
    list_select_related = ("endpoint", "event")
    inlines = [WebhookAttemptInline]
    actions = ["replay"]

    @admin.display(description="event")
    def event_kind(self, obj: WebhookDelivery) -> str:
        return obj.event.get_kind_display()

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj: WebhookDelivery) -> str:
        colours: dict[str, str] = {
            DeliveryStatus.SUCCEEDED: "#2e7d32",
            DeliveryStatus.FAILED: "#c62828",
            DeliveryStatus.RETRYING: "#ef6c00",
        }
        colour = colours.get(obj.status, "#555")
        return format_html('<b style="color:{}">{}</b>', colour, obj.get_status_display())

    @admin.action(description="Replay: send again now (logged as a replay)")
    def replay(self, request, queryset) -> None:
        ok = failed = 0
        for delivery in queryset:
            result = delivery_replay(delivery=delivery)
            ok += result.ok
            failed += not result.ok
        level = messages.SUCCESS if not failed else messages.WARNING
        self.message_user(request, f"Replayed: {ok} delivered, {failed} failed.", level)


@admin.register(EmailDigest)
class EmailDigestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    deletable = False  # what was sent
    list_display = ("sent_at", "user", "publication", "language", "event_count", "subject")
    list_filter = ("language",)
    search_fields = ("user__email", "subject")
    list_select_related = ("user", "publication")
