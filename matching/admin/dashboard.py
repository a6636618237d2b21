"""What the admin index shows operators: the queue, the latest editions, failures, pace."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from customs.models import CustomsPublication, CustomsRun, CustomsSource, RunOutcome
from matching.admin.charts import daily_bars_svg
from matching.models import HUMAN_STATUSES, MatchEvent, MatchingRun, MatchStatus
from matching.selectors import review_queue

THROUGHPUT_DAYS = 14
FAILED_RUNS = 10
INTERRUPTED = "Interrupted: never finished (the worker was killed or timed out)."


def decisions_per_day(*, days: int = THROUGHPUT_DAYS, today: dt.date | None = None) -> list:
    """(day, human decisions) for the last ``days`` days, oldest first, zero-filled."""
    today = today or timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    rows = dict(
        MatchEvent.objects.filter(
            to_status__in=HUMAN_STATUSES,
            created_at__date__gte=first,
        )
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(first + dt.timedelta(days=i), rows.get(first + dt.timedelta(days=i), 0)) for i in
            range(days)]  # fmt: skip


def latest_publications() -> list[dict]:
    """Each source's latest publication (by effective date, then creation) and its status."""
    latest = []
    for source in CustomsSource.objects.order_by("slug"):
        publication = (
            CustomsPublication.objects.filter(source=source)
            .order_by("-effective_date", "-created_at", "-pk")
            .first()
        )
        latest.append({"source": source, "publication": publication})
    return latest


def failed_runs() -> list[dict]:
    """The latest failed customs runs and matcher runs, newest first."""
    runs: list[dict[str, Any]] = [
        {
            "when": run.started_at,
            "kind": f"customs {run.kind}",
            "scope": run.publication or run.source or "",
            "message": run.message,
            "url": ("admin:customs_customsrun_change", run.pk),
        }
        for run in CustomsRun.objects.filter(outcome=RunOutcome.FAILED)
        .select_related("source", "publication")
        .order_by("-started_at")[:FAILED_RUNS]
    ]
    # A run killed outright (SIGKILL, the worker's time-out) never records an error or a
    # finish: past the task time-out without one, it is a failure too.
    abandoned_before = timezone.now() - dt.timedelta(seconds=int(settings.Q_CLUSTER["timeout"]))
    failed_matching = MatchingRun.objects.filter(
        ~Q(error="") | Q(finished_at__isnull=True, started_at__lt=abandoned_before)
    )
    runs += [
        {
            "when": run.started_at,
            "kind": "matching",
            "scope": run.scope,
            "message": run.error or INTERRUPTED,
            "url": None,
        }
        for run in failed_matching.order_by("-started_at")[:FAILED_RUNS]
    ]
    runs.sort(key=lambda r: r["when"], reverse=True)
    return runs[:FAILED_RUNS]


def dashboard() -> dict:
    from matching.group_selectors import queue_counts
    from matching.progress_selectors import (
        decisions_per_reviewer,
        left_per_brand,
        left_per_source,
        review_pace,
    )
    from matching.services.groups import group_members_refresh

    per_day = decisions_per_day()
    group_members_refresh()
    counts = queue_counts(review_queue(status=MatchStatus.PENDING_REVIEW))
    return {
        "pending": counts.lines,
        "pending_items": counts.items,
        "left_per_source": left_per_source(),
        "left_per_brand": left_per_brand(),
        "per_reviewer": decisions_per_reviewer(),
        "pace": review_pace(),
        "latest": latest_publications(),
        "failed_runs": failed_runs(),
        "decisions_chart": daily_bars_svg(per_day, width=380),
        "decisions_total": sum(count for _, count in per_day),
        "days": THROUGHPUT_DAYS,
    }
