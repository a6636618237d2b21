"""Crawl runs and their frontier: claimed with conditional updates, counted with F()."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from merchants.models import (
    RESUMABLE_STATUSES,
    CrawlRun,
    CrawlUrl,
    Merchant,
    MerchantProduct,
    RunStatus,
    UrlKind,
    UrlState,
)

COUNTERS = {
    "pages_fetched",
    "pages_not_modified",
    "products_created",
    "products_updated",
    "products_unchanged",
    "cigars_created",
    "packages_unavailable",
    "images_added",
    "blocked_by_robots",
    "errors",
}


# --- runs and the frontier ----------------------------------------------------------------


def _bump(run: CrawlRun, **counts: int) -> None:
    counts = {k: v for k, v in counts.items() if v}
    if not counts:
        return
    if set(counts) - COUNTERS:
        raise ValueError(f"unknown counters {set(counts) - COUNTERS}")
    CrawlRun.objects.filter(pk=run.pk).update(**{k: F(k) + v for k, v in counts.items()})
    for key, value in counts.items():
        setattr(run, key, getattr(run, key) + value)


def crawl_run_count(*, run: CrawlRun, **counts: int) -> None:
    """Add to a run's counters (an UPDATE … SET n = n + k: concurrent-safe)."""
    _bump(run, **counts)


@transaction.atomic
def crawl_run_start(*, merchant: Merchant, trigger: str = "command") -> CrawlRun:
    return CrawlRun.objects.create(merchant=merchant, trigger=trigger, status=RunStatus.RUNNING)


def crawl_run_resumable(*, merchant: Merchant) -> CrawlRun | None:
    return (
        CrawlRun.objects.filter(merchant=merchant, status__in=RESUMABLE_STATUSES)
        .order_by("-started_at", "-id")
        .first()
    )


@transaction.atomic
def crawl_run_resume(*, run: CrawlRun) -> CrawlRun:
    """Continue a run: URLs caught mid-fetch by a crash are pending again."""
    run = CrawlRun.objects.select_for_update().get(pk=run.pk)
    run.urls.filter(state=UrlState.IN_PROGRESS).update(state=UrlState.PENDING)
    run.status = RunStatus.RUNNING
    run.finished_at = None
    run.resumed_count += 1
    run.save(update_fields=["status", "finished_at", "resumed_count"])
    return run


@transaction.atomic
def crawl_run_finish(*, run: CrawlRun, status: str, message: str = "") -> CrawlRun:
    CrawlRun.objects.filter(pk=run.pk).update(
        status=status, finished_at=timezone.now(), message=message[:5000]
    )
    run.refresh_from_db()
    return run


def frontier_enqueue(
    *, run: CrawlRun, urls: list[str], kind: str, discovered_from: str = ""
) -> int:
    """Queue URLs in the run's frontier; a URL already there (in any state) is not queued
    again. Returns how many were new."""
    if not urls:
        return 0
    rows = [
        CrawlUrl(run=run, url=url[:2000], kind=kind, discovered_from=discovered_from[:2000])
        for url in dict.fromkeys(urls)
    ]
    before = CrawlUrl.objects.filter(run=run).count()
    CrawlUrl.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return CrawlUrl.objects.filter(run=run).count() - before


def frontier_claim_next(*, run: CrawlRun) -> CrawlUrl | None:
    """The next pending URL, claimed with a conditional UPDATE: when two workers race for
    it, exactly one changes the row (and fetches it)."""
    while True:
        candidate = CrawlUrl.objects.filter(run=run, state=UrlState.PENDING).order_by("id").first()
        if candidate is None:
            return None
        claimed = CrawlUrl.objects.filter(pk=candidate.pk, state=UrlState.PENDING).update(
            state=UrlState.IN_PROGRESS, attempts=F("attempts") + 1
        )
        if claimed == 1:
            candidate.refresh_from_db()
            return candidate


def frontier_mark(
    *,
    item: CrawlUrl,
    state: str,
    http_status: int | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    content_hash: str = "",
    error: str = "",
) -> CrawlUrl:
    item.state = state
    item.http_status = http_status
    item.etag = (etag or "")[:500]
    item.last_modified = (last_modified or "")[:100]
    item.content_hash = content_hash
    item.error = error[:5000]
    item.fetched_at = timezone.now() if state != UrlState.BLOCKED else None
    item.save(
        update_fields=[
            "state",
            "http_status",
            "etag",
            "last_modified",
            "content_hash",
            "error",
            "fetched_at",
        ]
    )
    return item


def frontier_mark_blocked(*, run: CrawlRun, urls: list[str], kind: str) -> int:
    """Record URLs robots.txt forbids (never fetched), so the run shows what it skipped."""
    rows = [
        CrawlUrl(run=run, url=u[:2000], kind=kind, state=UrlState.BLOCKED)
        for u in dict.fromkeys(urls)
    ]
    before = CrawlUrl.objects.filter(run=run).count()
    CrawlUrl.objects.bulk_create(rows, ignore_conflicts=True)
    return CrawlUrl.objects.filter(run=run).count() - before


def known_product_urls(*, merchant: Merchant) -> list[str]:
    """Product pages seen before and not gone: revisited every run, so that a page the
    sitemap no longer lists is still checked (and marked gone when it answers 404)."""
    return list(
        MerchantProduct.objects.filter(merchant=merchant, gone_at__isnull=True)
        .order_by("id")
        .values_list("url", flat=True)
    )


def frontier_previous_validators(*, merchant: Merchant, url: str) -> tuple[str, str]:
    """ETag and Last-Modified of the last successful fetch of ``url`` by an earlier run."""
    row = (
        CrawlUrl.objects.filter(
            run__merchant=merchant,
            url=url,
            state__in=[UrlState.DONE, UrlState.NOT_MODIFIED],
            kind=UrlKind.PRODUCT,
        )
        .exclude(etag="", last_modified="")
        .order_by("-fetched_at")
        .values_list("etag", "last_modified")
        .first()
    )
    return row if row is not None else ("", "")
