"""The crawl loop of one merchant (see ``merchants.crawler``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection

from cigarspace.http import HttpClient
from merchants import services
from merchants.adapters import adapter_for
from merchants.crawler.context import PARSER_VERSION, CrawlContext
from merchants.crawler.pages import enqueue, process
from merchants.discovery import normalise_url
from merchants.models import CrawlRun, CrawlUrl, Merchant, RunStatus, UrlKind
from merchants.politeness import HostRateLimiter, PoliteHttpClient, RobotsPolicy, robots_fetch

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[CrawlUrl, CrawlRun], None]
MAX_ROBOTS_CRAWL_DELAY = 120.0
_MERCHANT_LOCK_NAMESPACE = 0x4D435257  # "MCRW"


def crawl_client(*, merchant: Merchant, sleep: Callable[[float], None] = time.sleep) -> HttpClient:
    """The polite client of one merchant: rate-limited per host, capped per page."""
    limiter = HostRateLimiter(interval=float(merchant.crawl_delay_seconds), sleep=sleep)
    return PoliteHttpClient(
        limiter=limiter, max_retries=3, max_bytes=merchant.max_page_bytes, sleep=sleep
    )


class CrawlAlreadyRunning(Exception):
    """Another worker is crawling this merchant right now."""


@contextmanager
def _merchant_lock(merchant: Merchant) -> Iterator[None]:
    """One crawl per merchant at a time, across processes: a scheduled run and an admin
    "crawl now" must not work the same frontier (session-level advisory lock, released
    when the crawl ends or its connection dies)."""
    key = (_MERCHANT_LOCK_NAMESPACE << 32) | merchant.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (acquired,) = cursor.fetchone()
    if not acquired:
        raise CrawlAlreadyRunning(f"{merchant.slug} is being crawled by another worker.")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def merchant_crawl(
    *,
    merchant: Merchant,
    limit: int | None = None,
    resume: bool = False,
    trigger: str = "command",
    client: HttpClient | None = None,
    on_page: ProgressCallback | None = None,
) -> CrawlRun:
    """Crawl ``merchant``; ``limit`` caps the product pages of this call (the run stays
    resumable); ``resume`` continues the merchant's last unfinished run if there is one.

    Raises ``CrawlAlreadyRunning`` when another worker holds the merchant.
    """
    with _merchant_lock(merchant):
        return _crawl(
            merchant=merchant,
            limit=limit,
            resume=resume,
            trigger=trigger,
            client=client,
            on_page=on_page,
        )


def _crawl(
    *,
    merchant: Merchant,
    limit: int | None,
    resume: bool,
    trigger: str,
    client: HttpClient | None,
    on_page: ProgressCallback | None,
) -> CrawlRun:
    adapter = adapter_for(merchant.adapter)
    client = client or crawl_client(merchant=merchant)
    previous = services.crawl_run_resumable(merchant=merchant) if resume else None
    if previous is not None:
        run = services.crawl_run_resume(run=previous)
    else:
        run = services.crawl_run_start(merchant=merchant, trigger=trigger)
    robots = _robots(merchant, run, client)
    if robots.refuse_all:
        return services.crawl_run_finish(run=run, status=RunStatus.FAILED, message=robots.note)
    context = CrawlContext(merchant, run, client, robots, adapter.name)
    if previous is None:
        _seed(context)
    products_done = 0
    try:
        while True:
            if limit is not None and products_done >= limit:
                return _stop(run, f"stopped after {limit} product pages (--limit)")
            if run.pages_fetched >= merchant.max_pages:
                return _stop(run, f"stopped at the page budget ({merchant.max_pages} pages)")
            item = services.frontier_claim_next(run=run)
            if item is None:
                break
            process(context, item)
            if item.kind == UrlKind.PRODUCT:
                products_done += 1
            if on_page is not None:
                on_page(item, run)
    except KeyboardInterrupt:
        # Left resumable: `crawl --resume` continues with the pending URLs.
        services.crawl_run_finish(run=run, status=RunStatus.INCOMPLETE, message="interrupted")
        raise
    except Exception as exc:
        logger.exception("crawl of %s failed", merchant)
        services.crawl_run_finish(run=run, status=RunStatus.FAILED, message=f"failed: {exc}")
        raise
    run.refresh_from_db()
    return services.crawl_run_finish(run=run, status=RunStatus.FINISHED, message=run.summary())


def _stop(run: CrawlRun, why: str) -> CrawlRun:
    run.refresh_from_db()
    return services.crawl_run_finish(
        run=run, status=RunStatus.INCOMPLETE, message=f"{why}; {run.summary()}"
    )


# --- robots and seeds ---------------------------------------------------------------------


def _robots(merchant: Merchant, run: CrawlRun, client: HttpClient) -> RobotsPolicy:
    policy, result, error = robots_fetch(
        client=client, base_url=merchant.base_url, user_agent=client.user_agent
    )
    services.provenance_record(
        url=normalise_url("/robots.txt", base=merchant.base_url),
        parser="merchants.robots",
        parser_version=PARSER_VERSION,
        http_status=result.status if result else (error.status if error else None),
        content_hash=result.digest if result else "",
        notes=policy.note or (str(error) if error else ""),
        stats={"run": run.pk, "sitemaps": policy.sitemaps},
    )
    if policy.crawl_delay is not None and isinstance(client, PoliteHttpClient):
        # The site's own Crawl-delay wins when it asks for more than the merchant row,
        # up to a ceiling: "Crawl-delay: 86400" would stall a worker for days.
        delay = min(policy.crawl_delay, MAX_ROBOTS_CRAWL_DELAY)
        client.limiter.set_interval(delay, url=merchant.base_url)
    return policy


def _seed(context: CrawlContext) -> None:
    merchant = context.merchant
    sitemaps = list(merchant.sitemap_urls)
    if not sitemaps and not merchant.listing_urls:
        sitemaps = context.robots.sitemaps
    enqueue(context, [normalise_url(u) for u in sitemaps], UrlKind.SITEMAP)
    enqueue(context, [normalise_url(u) for u in merchant.listing_urls], UrlKind.LISTING)
    # Pages seen by earlier runs are revisited even when no sitemap lists them any more:
    # that is how a product that disappeared is noticed.
    enqueue(context, services.known_product_urls(merchant=merchant), UrlKind.PRODUCT)
