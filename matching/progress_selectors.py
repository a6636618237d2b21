"""Work in progress: what is left per source and brand, who decided how much each day,
and the median seconds per decision (``ReviewTiming``, measured in the browser)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from matching.group_selectors import pending_brands, queue_counts
from matching.models import HUMAN_STATUSES, MatchEvent, ReviewTiming
from matching.selectors import review_queue


@dataclass
class Pace:
    decisions: int
    median_seconds: float | None
    #: A group decision settles several lines: seconds per settled line.
    seconds_per_line: float | None


def left_per_source() -> list[dict]:
    """Items and lines pending review, per source."""
    from customs.models import CustomsSource

    rows = []
    for slug in CustomsSource.objects.order_by("slug").values_list("slug", flat=True):
        counts = queue_counts(review_queue(source_slug=slug))
        if counts.lines:
            rows.append({"source": slug, "items": counts.items, "lines": counts.lines})
    return rows


def left_per_brand(*, limit: int = 8) -> list[dict]:
    return [
        {"brand_key": key, "brand": name, "lines": lines}
        for key, name, lines in pending_brands(limit=limit)
    ]


def decisions_per_reviewer(*, days: int = 7, today: dt.date | None = None) -> dict:
    """{"days": [...], "rows": [(reviewer, [count per day])]}: human decisions (events)."""
    today = today or timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    counts: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for email, day, n in (
        MatchEvent.objects.filter(
            to_status__in=HUMAN_STATUSES, created_at__date__gte=first, actor__isnull=False
        )
        .annotate(day=TruncDate("created_at"))
        .values_list("actor__email", "day")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[email][day] = n
    calendar = [first + dt.timedelta(days=i) for i in range(days)]
    return {
        "days": calendar,
        "rows": [(email, [counts[email].get(d, 0) for d in calendar]) for email in sorted(counts)],
    }


def review_pace(*, days: int = 14) -> Pace:
    since = timezone.now() - dt.timedelta(days=days)
    rows = list(ReviewTiming.objects.filter(created_at__gte=since).values_list("seconds", "lines"))
    if not rows:
        return Pace(0, None, None)
    seconds = [s for s, _lines in rows]
    lines = sum(n for _s, n in rows)
    return Pace(
        decisions=len(rows),
        median_seconds=round(statistics.median(seconds), 1),
        seconds_per_line=round(sum(seconds) / lines, 1) if lines else None,
    )
