"""The match changelist as the review queue, and the read-only audit trail.

The queue lists each entry's best candidate (``matching.selectors.review_queue``): pending
review by default, the most uncertain and most valuable first. Rows open the review page
of their entry; bulk accept/reject call the decision services one match at a time, so
each decision writes its audit event and a conflict with another reviewer is counted, not
overwritten.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import path, reverse
from django.utils.html import format_html

from cigarspace.admin_base import ReadOnlyAdmin
from customs.models import ChangeKind, CustomsPublication, CustomsSource
from matching.admin import review
from matching.admin.charts import score_colour, signal_bars_html
from matching.admin.params import (
    ALL,
    ORM_LOOKUPS,
    SCORE_BANDS,
    queue_filters,
    queue_querystring,
)
from matching.admin.permissions import ReviewPermissionMixin
from matching.conf import SIGNAL_NAMES, current_config
from matching.models import CigarCustomsMatch, MatchEvent, MatchStatus
from matching.selectors import review_queue
from matching.services.decisions import DecisionConflict, match_accept, match_reject


class QueueFilter(admin.SimpleListFilter):
    """A list filter whose semantics are the selector's (see ``queue_filters``)."""

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        filters = queue_filters({self.parameter_name: value})
        filters.pop("status")
        lookups = {ORM_LOOKUPS[name]: arg for name, arg in filters.items() if arg is not None}
        return queryset.filter(**lookups)


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*MatchStatus.choices, (ALL, "All statuses")]

    def value(self):
        # The queue opens on what awaits a human.
        return super().value() or MatchStatus.PENDING_REVIEW

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == ALL:
            return queryset
        return queryset.filter(status=self.value())


class SourceFilter(QueueFilter):
    title = "source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return list(CustomsSource.objects.order_by("slug").values_list("slug", "slug"))


class PublicationFilter(QueueFilter):
    title = "publication"
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        # The latest editions only: the list would otherwise grow with every publication.
        publications = CustomsPublication.objects.select_related("source").order_by(
            F("effective_date").desc(nulls_last=True), "-pk"
        )[:30]
        return [
            (str(p.pk), f"{p.source.slug} {p.effective_date or '—'} · {p}"[:80])
            for p in publications
        ]


class ScoreBandFilter(QueueFilter):
    title = "score band"
    parameter_name = "band"

    def lookups(self, request, model_admin):
        return [(key, caption) for key, (caption, _, _) in SCORE_BANDS.items()]


class BrandFilter(QueueFilter):
    title = "brand (proposed cigar)"
    parameter_name = "brand"

    def lookups(self, request, model_admin):
        from catalogue.models import Brand

        brand_ids = (
            CigarCustomsMatch.objects.filter(status=MatchStatus.PENDING_REVIEW, rank=1)
            .values("cigar__line__brand_id")
            .distinct()
        )
        return list(
            Brand.objects.filter(pk__in=brand_ids).order_by("name").values_list("pk", "name")[:200]
        )


class ChangeKindFilter(QueueFilter):
    title = "change kind"
    parameter_name = "change_kind"

    def lookups(self, request, model_admin):
        return ChangeKind.choices


@admin.register(CigarCustomsMatch)
class CigarCustomsMatchAdmin(ReviewPermissionMixin, ReadOnlyAdmin):
    # Statuses change through the decision services only (review page, actions, API);
    # a match may carry a human decision, never deleted.
    deletable = False
    list_display = (
        "price_label",
        "pack",
        "price",
        "proposed_cigar",
        "coloured_score",
        "signal_bars",
        "status",
        "edition",
    )
    list_display_links = None
    list_filter = (
        StatusFilter,
        SourceFilter,
        PublicationFilter,
        ScoreBandFilter,
        BrandFilter,
        ChangeKindFilter,
    )
    search_fields = ("price_entry__raw_label", "cigar__full_name")
    list_per_page = 50
    # COUNT(*) over the whole table on every page view is the slow part of a big queue.
    show_full_result_count = False
    actions = ["accept_selected", "reject_selected"]
    readonly_fields = (
        "cigar",
        "price_entry",
        "match_method",
        "score",
        "signals",
        "status",
        "rank",
        "decided_by",
        "decided_at",
        "note",
        "created_at",
        "updated_at",
    )

    class Media:
        css = {"all": ("review/review.css",)}

    def get_queryset(self, request) -> QuerySet[CigarCustomsMatch]:
        # Every status (the status filter narrows it), best candidates only, with the
        # ``uncertainty`` annotation the ordering needs; related rows in the same query.
        return review_queue(status=list(MatchStatus.values))

    def get_ordering(self, request):
        # The selector's order: uncertainty (distance of the score from the middle of the
        # review band) first, then value. ``uncertainty`` is an annotation of get_queryset.
        return ("uncertainty", F("price_entry__pack_price").desc(nulls_last=True), "pk")

    def get_list_display(self, request):
        # The label links to the review page with the queue's filters, bound per request.
        query = queue_querystring(request.GET)
        config = current_config()

        @admin.display(description="Price label", ordering="price_entry__raw_label")
        def price_label(obj: CigarCustomsMatch) -> str:
            url = reverse("admin:matching_review", args=[obj.price_entry_id])
            return format_html(
                '<a class="review-open" href="{}{}">{}</a>',
                url,
                f"?{query}" if query else "",
                obj.price_entry.raw_label,
            )

        @admin.display(description="Score", ordering="score")
        def coloured_score(obj: CigarCustomsMatch) -> str:
            colour = score_colour(
                float(obj.score), accept=config.accept_threshold, reject=config.reject_threshold
            )
            return format_html('<b class="score" style="color:{}">{}</b>', colour, obj.score)

        bound = {"price_label": price_label, "coloured_score": coloured_score}
        return [bound.get(name, name) for name in self.list_display]

    def get_urls(self):
        console = review.ReviewConsole(self.admin_site)

        def wrap(view):
            # Never inside ATOMIC_REQUESTS, should it be turned on: the decision services
            # open their own durable transaction.
            return transaction.non_atomic_requests(self.admin_site.admin_view(view))

        return [
            path("review/next/", wrap(console.next_view), name="matching_review_next"),
            path("review/search/", wrap(console.search_view), name="matching_review_search"),
            path("review/<int:entry_id>/", wrap(console.review_view), name="matching_review"),
            path(
                "review/<int:entry_id>/create-cigar/",
                wrap(console.create_cigar_view),
                name="matching_review_create_cigar",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "queue_query": queue_querystring(request.GET),
            "title": "Review queue",
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description="Price label")
    def price_label(self, obj: CigarCustomsMatch) -> str:
        return obj.price_entry.raw_label

    @admin.display(description="Pack", ordering="price_entry__pack_size")
    def pack(self, obj: CigarCustomsMatch) -> str:
        entry = obj.price_entry
        if entry.pack_size is None:
            return "—"
        return f"{entry.pack_size} · {entry.packaging}" if entry.packaging else str(entry.pack_size)

    @admin.display(description="Price", ordering="price_entry__pack_price")
    def price(self, obj: CigarCustomsMatch) -> str:
        entry = obj.price_entry
        if entry.pack_price is None:
            return "—"
        return f"{entry.pack_price:,.2f} {entry.currency_code}"

    @admin.display(description="Proposed cigar", ordering="cigar__full_name")
    def proposed_cigar(self, obj: CigarCustomsMatch) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:catalogue_cigar_change", args=[obj.cigar_id]),
            obj.cigar.full_name,
        )

    @admin.display(description="Score", ordering="score")
    def coloured_score(self, obj: CigarCustomsMatch) -> str:
        return str(obj.score)

    @admin.display(description="Signals")
    def signal_bars(self, obj: CigarCustomsMatch) -> str:
        return signal_bars_html(obj.signals or {}, SIGNAL_NAMES)

    @admin.display(description="Edition", ordering="price_entry__publication__effective_date")
    def edition(self, obj: CigarCustomsMatch) -> str:
        publication = obj.price_entry.publication
        return f"{publication.source.slug} {publication.effective_date or ''}".strip()

    def _decide_each(self, request, queryset, service, verb: str) -> None:
        done = conflicts = 0
        # One decision per match, each in its own transaction: a conflict on one row
        # (decided meanwhile by someone else) does not undo the others.
        for match in queryset.select_related("price_entry"):
            try:
                service(match=match, actor=request.user, note=f"bulk {verb} in the queue")
            except DecisionConflict:
                conflicts += 1
            else:
                done += 1
        if request.POST.get("select_across") != "1":
            # Rows decided meanwhile by someone else left the filtered queue: the action's
            # queryset no longer holds them. Say so rather than drop them silently.
            conflicts += max(len(request.POST.getlist(ACTION_CHECKBOX_NAME)) - done - conflicts, 0)
        self.message_user(request, f"{done} match(es) {verb}.", messages.SUCCESS)
        if conflicts:
            self.message_user(
                request,
                f"{conflicts} match(es) left alone: already decided by another reviewer.",
                messages.WARNING,
            )

    @admin.action(description="Accept the selected matches", permissions=["review"])
    def accept_selected(self, request, queryset: QuerySet[CigarCustomsMatch]) -> None:
        self._decide_each(request, queryset, match_accept, "accepted")

    @admin.action(description="Reject the selected matches", permissions=["review"])
    def reject_selected(self, request, queryset: QuerySet[CigarCustomsMatch]) -> None:
        self._decide_each(request, queryset, match_reject, "rejected")


@admin.register(MatchEvent)
class MatchEventAdmin(ReviewPermissionMixin, ReadOnlyAdmin):
    """The audit trail is read-only: events are written by the decision services."""

    deletable = False  # the audit of decisions

    list_display = ("created_at", "match", "from_status", "to_status", "actor", "score", "note")
    list_filter = ("to_status", "from_status")
    search_fields = ("match__price_entry__raw_label", "note", "actor__email")
    list_select_related = ("actor", "match")
    date_hierarchy = "created_at"
    readonly_fields = ("match", "actor", "from_status", "to_status", "score", "note", "created_at")
