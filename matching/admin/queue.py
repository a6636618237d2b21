"""The match changelist as the review queue, and the read-only audit trail.

The queue lists each entry's best candidate (``matching.selectors.review_queue``): pending
review by default, the most uncertain and most valuable first, one row per product
(``matching.group_selectors.queue_grouped``: the entries of a review group, across
editions and presentations, show as one item; its size is in the "Group" column, the
counts above the list say items and lines). Rows open the review page of their entry;
bulk accept/reject call the decision services one match at a time (and settle the rest of
each row's group the same way), so each decision writes its audit event and a conflict
with another reviewer is counted, not overwritten.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from cigarspace.admin_base import ReadOnlyAdmin
from customs.models import ChangeKind, CustomsPublication, CustomsSource
from matching.admin import review
from matching.admin.bulk_create import bulk_create_view
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
from matching.group_selectors import (
    GroupSize,
    pending_brands,
    pending_group_sizes,
    queue_counts,
    queue_grouped,
)
from matching.models import CigarCustomsMatch, MatchEvent, MatchStatus
from matching.progress_selectors import left_per_source
from matching.selectors import review_queue
from matching.services.decisions import DecisionConflict, match_accept, match_reject
from matching.services.groups import (
    brand_mark_not_carried,
    group_members_refresh,
    group_settle_members,
)


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
        # What is left per source, in items (products) and lines.
        left = {row["source"]: row for row in left_per_source()}
        return [
            (
                slug,
                f"{slug} ({left[slug]['items']} · {left[slug]['lines']})" if slug in left else slug,
            )
            for slug in CustomsSource.objects.order_by("slug").values_list("slug", flat=True)
        ]


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


class LabelBrandFilter(QueueFilter):
    """The brand the labels name, carried by the catalogue or not ("review this brand")."""

    title = "brand (named by the label)"
    parameter_name = "label_brand"

    def lookups(self, request, model_admin):
        return [(key, f"{name} ({lines})") for key, name, lines in pending_brands()]


class ChangeKindFilter(QueueFilter):
    title = "change kind"
    parameter_name = "change_kind"

    def lookups(self, request, model_admin):
        return ChangeKind.choices


@admin.register(CigarCustomsMatch)
class CigarCustomsMatchAdmin(ReviewPermissionMixin, ReadOnlyAdmin[CigarCustomsMatch]):
    # Statuses change through the decision services only (review page, actions, API);
    # a match may carry a human decision, never deleted.
    deletable = False
    list_display = (
        "price_label",
        "group_size",
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
        LabelBrandFilter,
        ChangeKindFilter,
    )
    search_fields = ("price_entry__raw_label", "cigar__full_name")
    list_per_page = 50
    # COUNT(*) over the whole table on every page view is the slow part of a big queue.
    show_full_result_count = False
    actions = ["accept_selected", "reject_selected", "brand_not_carried", "create_cigars"]
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
        return review_queue(status=list(MatchStatus.values)).select_related(
            "price_entry__review_group"
        )

    def get_search_results(self, request, queryset, search_term):
        # After the list filters and the search, before the ordering: one row per group of
        # what the reviewer filtered (a filter never hides a group behind another member).
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queue_grouped(queryset), may_have_duplicates

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

        sizes: dict[tuple[str, str], GroupSize] = {}
        loaded: list[bool] = []

        @admin.display(description="Group")
        def group_size(obj: CigarCustomsMatch) -> str:
            # One query for every group of the page, on first use.
            if not loaded:
                sizes.update(pending_group_sizes())
                loaded.append(True)
            member = getattr(obj.price_entry, "review_group", None)
            size = sizes.get((member.source_slug, member.group_key)) if member else None
            if size is None or obj.status != MatchStatus.PENDING_REVIEW:
                return "—"
            return format_html(
                '<span class="queue-group" title="{}, {} lines">{}<br>{} ed. · {} pres.</span>',
                size.caption,
                size.lines,
                f"{size.lines} line{'s' if size.lines != 1 else ''}",
                size.editions,
                size.presentations,
            )

        bound = {
            "price_label": price_label,
            "coloured_score": coloured_score,
            "group_size": group_size,
        }
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
                "review/create-cigars/",
                wrap(lambda request: bulk_create_view(self.admin_site, request)),
                name="matching_review_bulk_create",
            ),
            path(
                "review/<int:entry_id>/split/",
                wrap(console.split_view),
                name="matching_review_split",
            ),
            path(
                "review/<int:entry_id>/brand-not-carried/",
                wrap(console.brand_not_carried_view),
                name="matching_review_brand_not_carried",
            ),
            path(
                "review/<int:entry_id>/create-cigar/",
                wrap(console.create_cigar_view),
                name="matching_review_create_cigar",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        # Group keys of entries pending since the last look (cheap once computed).
        group_members_refresh()
        counts = queue_counts(review_queue(**queue_filters(request.GET)))
        extra_context = {
            **(extra_context or {}),
            "queue_query": queue_querystring(request.GET),
            "queue_counts": counts,
            "label_brand": request.GET.get("label_brand", ""),
            "title": "Review queue",
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description="Price label")
    def price_label(self, obj: CigarCustomsMatch) -> str:
        return obj.price_entry.raw_label

    @admin.display(description="Group")
    def group_size(self, obj: CigarCustomsMatch) -> str:
        # Replaced per request in get_list_display (the sizes of the page's groups).
        return "—"

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
        done = conflicts = lines = 0
        note = f"bulk {verb} in the queue"
        action = "accept" if service is match_accept else "reject"
        # One decision per item, each in its own transaction with the rest of its group: a
        # conflict on one row (decided meanwhile by someone else) does not undo the others.
        for match in queryset.select_related("price_entry", "cigar"):
            try:
                outcome = group_settle_members(
                    entry=match.price_entry,
                    action=action,
                    cigar=match.cigar,
                    actor=request.user,
                    note=note,
                    decide_entry=lambda match=match: service(
                        match=match, actor=request.user, note=note
                    ),
                )
            except DecisionConflict:
                conflicts += 1
            else:
                done += 1
                lines += outcome.lines
        if request.POST.get("select_across") != "1":
            # Rows decided meanwhile by someone else left the filtered queue: the action's
            # queryset no longer holds them. Say so rather than drop them silently.
            conflicts += max(len(request.POST.getlist(ACTION_CHECKBOX_NAME)) - done - conflicts, 0)
        self.message_user(request, f"{done} match(es) {verb}.", messages.SUCCESS)
        if lines > done:
            self.message_user(
                request,
                f"{lines - done} more line(s) of their groups {verb} with them.",
                messages.SUCCESS,
            )
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

    @admin.action(
        description="Brand not carried: every pending label of the selected rows' brands",
        permissions=["review"],
    )
    def brand_not_carried(self, request, queryset: QuerySet[CigarCustomsMatch]) -> None:
        keys = set(
            queryset.exclude(price_entry__review_group__isnull=True).values_list(
                "price_entry__review_group__brand_key", flat=True
            )
        )
        settled = left = 0
        for brand_key in sorted(keys):
            outcome = brand_mark_not_carried(brand_key=brand_key, actor=request.user)
            settled += len(outcome.settled)
            left += len(outcome.conflicts)
        self.message_user(
            request,
            f"{len(keys)} brand(s) not carried: {settled} line(s) marked not in the catalogue.",
            messages.SUCCESS,
        )
        if left:
            self.message_user(
                request, f"{left} line(s) left alone: decided meanwhile.", messages.WARNING
            )

    @admin.action(description="Create cigars from these entries", permissions=["review"])
    def create_cigars(self, request, queryset: QuerySet[CigarCustomsMatch]):
        # The selected rows' groups: every pending line of each product.
        from matching.services.groups import group_pending_entries

        ids: list[int] = []
        for match in queryset.select_related("price_entry")[:200]:
            ids.append(match.price_entry_id)
            ids.extend(e.pk for e in group_pending_entries(entry=match.price_entry))
        url = reverse("admin:matching_review_bulk_create")
        return HttpResponseRedirect(f"{url}?ids={','.join(map(str, dict.fromkeys(ids)))}")


@admin.register(MatchEvent)
class MatchEventAdmin(ReviewPermissionMixin, ReadOnlyAdmin[MatchEvent]):
    """The audit trail is read-only: events are written by the decision services."""

    deletable = False  # the audit of decisions

    list_display = ("created_at", "match", "from_status", "to_status", "actor", "score", "note")
    list_filter = ("to_status", "from_status")
    search_fields = ("match__price_entry__raw_label", "note", "actor__email")
    list_select_related = ("actor", "match")
    date_hierarchy = "created_at"
    readonly_fields = ("match", "actor", "from_status", "to_status", "score", "note", "created_at")
