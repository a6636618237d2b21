"""Reads of the review groups: one queue item per product (see ``matching.services.groups``).

The group keys are derived data kept by ``group_members_refresh``; callers that show the
queue refresh them first (missing keys only: cheap once done).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import CharField, Count, F, QuerySet, Subquery, Value, Window
from django.db.models.functions import Cast, Coalesce, Concat, RowNumber

from customs.labels import label_key
from customs.models import CustomsPriceEntry
from matching.models import CigarCustomsMatch, MatchStatus, ReviewGroupMember

ENTRY_PREFIX = "entry:"


def _group_expression():
    # An entry without a key (never pending, or not refreshed yet) is a group of its own.
    return Coalesce(
        F("price_entry__review_group__group_key"),
        Concat(Value(ENTRY_PREFIX), Cast("price_entry_id", CharField())),
        output_field=CharField(),
    )


def queue_grouped(queryset: QuerySet[CigarCustomsMatch]) -> QuerySet[CigarCustomsMatch]:
    """The rows of ``queryset`` that represent their group: one per (status, source, group),
    the group's most uncertain (then dearest) row, as the queue orders them.

    ``queryset`` must carry the queue's ``uncertainty`` annotation (``review_queue``).
    """
    representatives = (
        queryset.annotate(
            group_row=Window(
                RowNumber(),
                partition_by=[
                    F("status"),
                    F("price_entry__publication__source__slug"),
                    _group_expression(),
                ],
                order_by=[
                    F("uncertainty").asc(),
                    F("price_entry__pack_price").desc(nulls_last=True),
                    F("pk").asc(),
                ],
            )
        )
        .filter(group_row=1)
        .values("pk")
    )
    return queryset.filter(pk__in=Subquery(representatives))


@dataclass
class GroupSize:
    lines: int = 0
    editions: int = 0
    presentations: int = 0

    @property
    def caption(self) -> str:
        editions = f"{self.editions} edition{'s' if self.editions != 1 else ''}"
        shown = f"{self.presentations} presentation{'s' if self.presentations != 1 else ''}"
        return f"appears in {editions}, {shown}"


def pending_group_sizes() -> dict[tuple[str, str], GroupSize]:
    """(source, group key) → lines, editions and presentations of its pending entries."""
    rows = CustomsPriceEntry.objects.filter(
        pk__in=CigarCustomsMatch.objects.filter(status=MatchStatus.PENDING_REVIEW, rank=1).values(
            "price_entry_id"
        ),
        review_group__isnull=False,
    ).values_list(
        "review_group__source_slug", "review_group__group_key", "publication_id", "raw_label"
    )
    publications: dict[tuple[str, str], set[int]] = defaultdict(set)
    labels: dict[tuple[str, str], set[str]] = defaultdict(set)
    lines: dict[tuple[str, str], int] = defaultdict(int)
    for slug, key, publication_id, raw in rows:
        publications[(slug, key)].add(publication_id)
        # A presentation: the whole label, pack and packaging included.
        labels[(slug, key)].add(label_key(raw))
        lines[(slug, key)] += 1
    return {key: GroupSize(lines[key], len(publications[key]), len(labels[key])) for key in lines}


@dataclass
class GroupView:
    """What the review page shows of an entry's group."""

    source_slug: str
    group_key: str
    brand_key: str
    brand_name: str
    size: GroupSize
    #: One row per pending entry of the group: label, edition, pack, price.
    entries: list[CustomsPriceEntry] = field(default_factory=list)
    #: normalised label → its pending entries (what a split would take off).
    labels: dict[str, int] = field(default_factory=dict)


def entry_group(*, entry: CustomsPriceEntry) -> GroupView | None:
    """The pending group ``entry`` belongs to (``entry`` included), or None."""
    member = ReviewGroupMember.objects.filter(price_entry_id=entry.pk).first()
    if member is None:
        return None
    pending = CigarCustomsMatch.objects.filter(status=MatchStatus.PENDING_REVIEW, rank=1).values(
        "price_entry_id"
    )
    entries = list(
        CustomsPriceEntry.objects.filter(
            review_group__source_slug=member.source_slug,
            review_group__group_key=member.group_key,
        )
        .filter(pk__in=pending)
        .select_related("publication")
        .order_by("publication__effective_date", "row_number", "pk")
    )
    if entry.pk not in {e.pk for e in entries}:
        entries.insert(0, entry)
    labels: dict[str, int] = defaultdict(int)
    for item in entries:
        labels[item.normalised_label] += 1
    size = GroupSize(
        lines=len(entries),
        editions=len({e.publication_id for e in entries}),
        presentations=len({label_key(e.raw_label) for e in entries}),
    )
    return GroupView(
        source_slug=member.source_slug,
        group_key=member.group_key,
        brand_key=member.brand_key,
        brand_name=member.brand_name,
        size=size,
        entries=entries,
        labels=dict(labels),
    )


@dataclass
class QueueCounts:
    items: int
    lines: int


def queue_counts(queryset: QuerySet[CigarCustomsMatch]) -> QueueCounts:
    """Items (groups) and lines (entries) of a queue queryset (best rows)."""
    items = (
        queryset.annotate(
            group_source=F("price_entry__publication__source__slug"), group=_group_expression()
        )
        .order_by()
        .values("status", "group_source", "group")
        .distinct()
        .count()
    )
    return QueueCounts(items=items, lines=queryset.order_by().count())


def pending_brands(*, limit: int = 200) -> list[tuple[str, str, int]]:
    """(brand key, brand name, pending lines) of the brands the pending labels name."""
    rows = (
        ReviewGroupMember.objects.filter(
            price_entry_id__in=CigarCustomsMatch.objects.filter(
                status=MatchStatus.PENDING_REVIEW, rank=1
            ).values("price_entry_id")
        )
        .values("brand_key", "brand_name")
        .annotate(lines=Count("pk"))
        .order_by("-lines", "brand_name")[:limit]
    )
    return [(r["brand_key"], r["brand_name"] or r["brand_key"], r["lines"]) for r in rows]
