"""What the review console adds to the publication admin (customs owns it and must not
import matching): stage timeline, entry counts by match status and change kind, the diff
against the previous edition, and the actions "retry failed stage" and "re-run matching".
Registered as an ``AdminExtension`` of ``customs.CustomsPublication``;
``customs.admin.CustomsPublicationAdmin`` stays the admin that runs.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.contrib import admin, messages
from django.contrib.admin import ModelAdmin
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django_q.tasks import async_task

from cigarspace.admin_extensions import AdminExtension, Panel, admin_extension_register
from customs.admin import CustomsPublicationAdmin
from customs.models import ChangeKind, CustomsPriceEntry, CustomsPublication, PublicationStatus
from customs.selectors import publication_previous
from matching.admin.permissions import can_review, has_review_permission
from matching.models import CigarCustomsMatch, MatchStatus

# The matcher's task for one publication (a thin adapter over publication_match).
REMATCH_TASK = "matching.admin.tasks.publication_rematch"
STAGES = (
    ("discovered", "discovered_at"),
    ("fetched", "fetched_at"),
    ("parsed", "parsed_at"),
    ("ingested", "ingested_at"),
    ("failed", "failed_at"),
)
BIGGEST_CHANGES = 10


def _best_count(status: str):
    rows = (
        CigarCustomsMatch.objects.filter(
            price_entry__publication_id=OuterRef("pk"), status=status, rank=1
        )
        .order_by()
        .values("price_entry__publication_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _relative_change(entry: CustomsPriceEntry) -> Decimal:
    """The new pack price against the old (both known: the query asks for them)."""
    assert entry.pack_price is not None
    assert entry.old_pack_price is not None
    return (entry.pack_price - entry.old_pack_price) / entry.old_pack_price


def with_match_counts(queryset: QuerySet[CustomsPublication]) -> QuerySet[CustomsPublication]:
    # Two correlated counts per listed row (50 rows a page) rather than a join of every
    # entry and match that GROUP BY would then have to fold.
    return queryset.annotate(
        pending_count=_best_count(MatchStatus.PENDING_REVIEW),
        accepted_count=_best_count(MatchStatus.AUTO_ACCEPTED)
        + _best_count(MatchStatus.HUMAN_ACCEPTED),
    )


@admin.display(description="Pending reviews", ordering="pending_count")
def pending_reviews(model_admin: ModelAdmin, obj: CustomsPublication) -> str:
    count = getattr(obj, "pending_count", 0)
    if not count:
        return "0"
    url = reverse("admin:matching_cigarcustomsmatch_changelist")
    return format_html('<a href="{}?publication={}">{}</a>', url, obj.pk, count)


@admin.display(description="Accepted", ordering="accepted_count")
def accepted(model_admin: ModelAdmin, obj: CustomsPublication) -> int:
    return getattr(obj, "accepted_count", 0)


@admin.display(description="Stages")
def stage_timeline(model_admin: ModelAdmin, obj: CustomsPublication) -> str:
    rows = []
    for name, field in STAGES:
        when = getattr(obj, field)
        if when is None and name == "failed":
            continue
        mark = "✔" if when else "…"
        if name == "failed":
            mark = f"✘ in {obj.failed_stage}"
        rows.append((name, mark, f"{when:%Y-%m-%d %H:%M}" if when else "not yet"))
    error = format_html("<p class='status-failed'>{}</p>", obj.error) if obj.error else ""
    return format_html(
        "<table><tbody>{}</tbody></table>{}",
        format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", rows),
        error,
    )


@admin.display(description="Entries by match status (best candidate)")
def match_counts(model_admin: ModelAdmin, obj: CustomsPublication) -> str:
    counts = dict(
        CigarCustomsMatch.objects.filter(price_entry__publication=obj, rank=1)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    entries = obj.entries.count()
    matched = sum(counts.values())
    queue = reverse("admin:matching_cigarcustomsmatch_changelist")
    rows = [
        (f"{queue}?publication={obj.pk}&status={status}", label, counts.get(status, 0))
        for status, label in MatchStatus.choices
    ]
    return format_html(
        "<table><tbody>{}<tr><th>No candidate</th><td>{}</td></tr>"
        "<tr><th>Entries</th><td>{}</td></tr></tbody></table>",
        format_html_join("", '<tr><th><a href="{}">{}</a></th><td>{}</td></tr>', rows),
        max(entries - matched, 0),
        entries,
    )


@admin.display(description="Entries by change kind")
def change_counts(model_admin: ModelAdmin, obj: CustomsPublication) -> str:
    counts = dict(obj.entries.values_list("change_kind").annotate(n=Count("pk")).order_by())
    rows = [(label, counts.get(kind, 0)) for kind, label in ChangeKind.choices]
    if counts.get(""):
        rows.append(("Not compared", counts[""]))
    return format_html(
        "<table><tbody>{}</tbody></table>",
        format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
    )


@admin.display(description="Against the previous edition")
def diff_summary(model_admin: ModelAdmin, obj: CustomsPublication) -> str:
    previous = publication_previous(publication=obj)
    if previous is None:
        return "First edition of this source (nothing to compare with)."
    link = format_html(
        '<a href="{}">{}</a> ({})',
        reverse("admin:customs_customspublication_change", args=[previous.pk]),
        previous,
        previous.effective_date or "no date",
    )
    changed = list(
        obj.entries.filter(
            change_kind=ChangeKind.CHANGED,
            pack_price__isnull=False,
            old_pack_price__gt=0,
        ).only("raw_label", "pack_price", "old_pack_price", "currency_code")
    )
    changed.sort(key=lambda e: abs(_relative_change(e)))
    biggest = [
        (
            entry.raw_label,
            entry.old_pack_price,
            entry.pack_price,
            entry.currency_code,
            f"{_relative_change(entry):+.1%}",
        )
        for entry in reversed(changed[-BIGGEST_CHANGES:])
    ]
    table = format_html_join(
        "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", biggest
    )
    return format_html(
        "<p>Previous edition: {}. {} price change(s); the biggest:</p>"
        "<table><thead><tr><th>Label</th><th>Was</th><th>Now</th><th></th><th>Change</th>"
        "</tr></thead><tbody>{}</tbody></table>",
        link,
        len(changed),
        table,
    )


@admin.action(description="Retry the failed stage (background tasks)", permissions=["review"])
def retry_failed_stage(
    model_admin: CustomsPublicationAdmin, request, queryset: QuerySet[CustomsPublication]
) -> None:
    model_admin.retry_failed(request, queryset)


@admin.action(description="Re-run matching (background tasks)", permissions=["review"])
def rerun_matching(
    model_admin: ModelAdmin, request, queryset: QuerySet[CustomsPublication]
) -> None:
    ids = list(queryset.filter(status=PublicationStatus.INGESTED).values_list("pk", flat=True))
    for pk in ids:
        # After the commit: the worker must see what this request wrote.
        transaction.on_commit(partial(async_task, REMATCH_TASK, pk))
    skipped = queryset.count() - len(ids)
    model_admin.message_user(
        request,
        f"Matching queued for {len(ids)} publication(s); {skipped} not ingested, left alone.",
        messages.SUCCESS if ids else messages.WARNING,
    )


admin_extension_register(
    CustomsPublication,
    AdminExtension(
        name="matching.review_console",
        columns_after=("pending_reviews", "accepted"),
        panels=(
            Panel("Review", ("stage_timeline", "match_counts", "change_counts", "diff_summary")),
        ),
        actions=(retry_failed_stage, rerun_matching),
        # retry_failed_stage is customs' retry_failed, open to reviewers.
        hides_actions=("retry_failed",),
        methods={
            "pending_reviews": pending_reviews,
            "accepted": accepted,
            "stage_timeline": stage_timeline,
            "match_counts": match_counts,
            "change_counts": change_counts,
            "diff_summary": diff_summary,
            "has_review_permission": has_review_permission,
        },
        queryset=with_match_counts,
        viewer=can_review,
    ),
)
