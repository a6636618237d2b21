"""The crawl of one merchant: robots.txt, then the frontier, one URL at a time.

``merchant_crawl`` is what the ``crawl`` command, the scheduled task and the admin action
call. It is deliberately not one transaction: every URL is claimed, fetched and filed in
its own short transactions, so an interrupted crawl keeps everything done so far and
``resume=True`` continues with the URLs still pending (never fetching a finished one again).

Per URL kind:
- sitemap → more sitemaps and product URLs (same host, ``product_url_pattern``);
- listing → product links and the next page (the merchant's selectors);
- product → extraction (the merchant's adapter), catalogue upsert, images, packages.
Every fetch leaves a ``source_record``; 404/410 on a product page marks its packages
unavailable; URLs robots.txt forbids are recorded as blocked and never requested.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from catalogue.media_assets import media_asset_create
from catalogue.models import MediaAsset
from cigarspace.http import FetchResult, HttpClient, HttpError
from media.exceptions import MediaRefusedError
from media.images import image_put_url
from merchants import services
from merchants.adapters import adapter_for
from merchants.discovery import (
    SitemapError,
    filter_products,
    normalise_url,
    parse_listing,
    parse_sitemap,
    same_site,
)
from merchants.extraction.select import SelectorError
from merchants.models import CrawlRun, CrawlUrl, Merchant, RunStatus, UrlKind, UrlState
from merchants.politeness import HostRateLimiter, PoliteHttpClient, RobotsPolicy, robots_fetch

logger = logging.getLogger(__name__)

PARSER_VERSION = "1.0"
HTML_TYPES = ("text/html", "application/xhtml+xml")
SITEMAP_TYPES = (
    "application/xml",
    "text/xml",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
    "text/plain",
)
SITEMAP_MAX_BYTES = 20 * 1024 * 1024
GONE_STATUSES = (404, 410)

ProgressCallback = Callable[[CrawlUrl, CrawlRun], None]


@dataclass
class _Context:
    merchant: Merchant
    run: CrawlRun
    client: HttpClient
    robots: RobotsPolicy
    adapter_name: str


def crawl_client(*, merchant: Merchant, sleep: Callable[[float], None] = time.sleep) -> HttpClient:
    """The polite client of one merchant: rate-limited per host, capped per page."""
    limiter = HostRateLimiter(interval=float(merchant.crawl_delay_seconds), sleep=sleep)
    return PoliteHttpClient(
        limiter=limiter, max_retries=3, max_bytes=merchant.max_page_bytes, sleep=sleep
    )


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
    resumable); ``resume`` continues the merchant's last unfinished run if there is one."""
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
    context = _Context(merchant, run, client, robots, adapter.name)
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
            _process(context, item)
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
        # The site's own Crawl-delay wins when it asks for more than the merchant row.
        client.limiter.set_interval(policy.crawl_delay, url=merchant.base_url)
    return policy


def _enqueue(context: _Context, urls: list[str], kind: str, discovered_from: str = "") -> None:
    allowed = [u for u in urls if context.robots.allowed(u)]
    blocked = [u for u in urls if not context.robots.allowed(u)]
    services.frontier_enqueue(
        run=context.run, urls=allowed, kind=kind, discovered_from=discovered_from
    )
    if blocked:
        new = services.frontier_mark_blocked(run=context.run, urls=blocked, kind=kind)
        services.crawl_run_count(run=context.run, blocked_by_robots=new)


def _seed(context: _Context) -> None:
    merchant = context.merchant
    sitemaps = list(merchant.sitemap_urls)
    if not sitemaps and not merchant.listing_urls:
        sitemaps = context.robots.sitemaps
    _enqueue(context, [normalise_url(u) for u in sitemaps], UrlKind.SITEMAP)
    _enqueue(context, [normalise_url(u) for u in merchant.listing_urls], UrlKind.LISTING)
    # Pages seen by earlier runs are revisited even when no sitemap lists them any more:
    # that is how a product that disappeared is noticed.
    _enqueue(context, services.known_product_urls(merchant=merchant), UrlKind.PRODUCT)


# --- one URL ------------------------------------------------------------------------------


def _fetch(context: _Context, item: CrawlUrl) -> FetchResult:
    merchant = context.merchant
    if item.kind == UrlKind.PRODUCT:
        etag, last_modified = services.frontier_previous_validators(merchant=merchant, url=item.url)
        return context.client.get(
            item.url,
            etag=etag or None,
            last_modified=last_modified or None,
            max_bytes=merchant.max_page_bytes,
            accept_types=HTML_TYPES,
        )
    if item.kind == UrlKind.SITEMAP:
        return context.client.get(item.url, max_bytes=SITEMAP_MAX_BYTES, accept_types=SITEMAP_TYPES)
    return context.client.get(item.url, max_bytes=merchant.max_page_bytes, accept_types=HTML_TYPES)


def _parser_name(context: _Context, item: CrawlUrl) -> tuple[str, str]:
    if item.kind == UrlKind.PRODUCT:
        adapter = adapter_for(context.adapter_name)
        return adapter.parser, adapter.parser_version
    return f"merchants.{item.kind}", PARSER_VERSION


def _process(context: _Context, item: CrawlUrl) -> None:
    run = context.run
    parser, version = _parser_name(context, item)
    try:
        result = _fetch(context, item)
    except HttpError as exc:
        _fetch_failed(context, item, exc, parser, version)
        return
    services.crawl_run_count(run=run, pages_fetched=1)
    if result.not_modified:
        _not_modified(context, item, result, parser, version)
        return
    try:
        if item.kind == UrlKind.SITEMAP:
            notes, stats, cigar = _sitemap(context, item, result), {}, None
        elif item.kind == UrlKind.LISTING:
            notes, stats, cigar = _listing(context, item, result), {}, None
        else:
            notes, stats, cigar = _product(context, item, result)
    except (SitemapError, SelectorError, ValidationError, ValueError) as exc:
        services.crawl_run_count(run=run, errors=1)
        services.frontier_mark(
            item=item,
            state=UrlState.FAILED,
            http_status=result.status,
            content_hash=result.digest,
            error=f"parse: {exc}",
        )
        services.provenance_record(
            url=item.url,
            parser=parser,
            parser_version=version,
            http_status=result.status,
            content_hash=result.digest,
            notes=f"parse failed: {exc}",
            stats={"run": run.pk},
        )
        return
    services.frontier_mark(
        item=item,
        state=UrlState.DONE,
        http_status=result.status,
        etag=result.etag,
        last_modified=result.last_modified,
        content_hash=result.digest,
    )
    services.provenance_record(
        url=item.url,
        parser=parser,
        parser_version=version,
        http_status=result.status,
        content_hash=result.digest,
        cigar=cigar,
        notes=notes,
        stats={"run": run.pk, "kind": item.kind, "final_url": result.url, **stats},
    )


def _fetch_failed(
    context: _Context, item: CrawlUrl, exc: HttpError, parser: str, version: str
) -> None:
    run = context.run
    notes = str(exc)
    if exc.status in GONE_STATUSES:
        state = UrlState.GONE
        if item.kind == UrlKind.PRODUCT:
            count = services.merchant_packages_mark_unavailable(
                merchant=context.merchant, url=item.url
            )
            services.crawl_run_count(run=run, packages_unavailable=count)
            notes = f"page gone (HTTP {exc.status}); {count} package(s) marked unavailable"
    else:
        state = UrlState.FAILED
        services.crawl_run_count(run=run, errors=1)
    services.frontier_mark(item=item, state=state, http_status=exc.status, error=str(exc))
    services.provenance_record(
        url=item.url,
        parser=parser,
        parser_version=version,
        http_status=exc.status,
        notes=notes,
        stats={"run": run.pk, "kind": item.kind, "attempts": exc.attempts},
    )


def _not_modified(
    context: _Context, item: CrawlUrl, result: FetchResult, parser: str, version: str
) -> None:
    run = context.run
    etag, last_modified = services.frontier_previous_validators(
        merchant=context.merchant, url=item.url
    )
    product = services.merchant_product_touch(merchant=context.merchant, url=item.url)
    services.crawl_run_count(run=run, pages_not_modified=1, products_unchanged=1 if product else 0)
    services.frontier_mark(
        item=item,
        state=UrlState.NOT_MODIFIED,
        http_status=304,
        etag=result.etag or etag,
        last_modified=result.last_modified or last_modified,
    )
    services.provenance_record(
        url=item.url,
        parser=parser,
        parser_version=version,
        http_status=304,
        cigar=product.cigar if product else None,
        notes="not modified since the last crawl",
        stats={"run": run.pk, "kind": item.kind},
    )


def _sitemap(context: _Context, item: CrawlUrl, result: FetchResult) -> str:
    found = parse_sitemap(result.content or b"", url=result.url)
    merchant = context.merchant
    sitemaps = [u for u in found.sitemaps if same_site(u, merchant.base_url)]
    products = filter_products(
        found.products, pattern=merchant.product_url_pattern, base_url=merchant.base_url
    )
    _enqueue(context, sitemaps, UrlKind.SITEMAP, discovered_from=item.url)
    _enqueue(context, products, UrlKind.PRODUCT, discovered_from=item.url)
    return f"{len(sitemaps)} sitemaps, {len(products)} product URLs"


def _listing(context: _Context, item: CrawlUrl, result: FetchResult) -> str:
    merchant = context.merchant
    found = parse_listing(
        result.content or b"",
        url=result.url,
        product_link_selector=merchant.product_link_selector,
        next_page_selector=merchant.next_page_selector,
    )
    products = [u for u in found.products if same_site(u, merchant.base_url)]
    listings = [u for u in found.listings if same_site(u, merchant.base_url)]
    _enqueue(context, products, UrlKind.PRODUCT, discovered_from=item.url)
    _enqueue(context, listings, UrlKind.LISTING, discovered_from=item.url)
    return f"{len(products)} product links, next page: {listings[0] if listings else 'none'}"


def _product(context: _Context, item: CrawlUrl, result: FetchResult):
    merchant, run = context.merchant, context.run
    adapter = adapter_for(context.adapter_name)
    extraction = adapter.extract(
        result.content or b"",
        url=result.url,
        currency=merchant.currency,
        selectors=merchant.selectors or {},
    )
    warnings = list(extraction.warnings)
    if not extraction.products:
        return "; ".join(["no product on the page", *warnings]), {}, None
    extracted = extraction.products[0]
    outcome = services.merchant_product_upsert(
        merchant=merchant, url=item.url, extracted=extracted, content_hash=result.digest
    )
    services.crawl_run_count(
        run=run,
        products_created=int(outcome.outcome == "created"),
        products_updated=int(outcome.outcome == "updated"),
        products_unchanged=int(outcome.outcome == "unchanged"),
        cigars_created=int(outcome.cigar_created),
    )
    cigar = outcome.product.cigar
    added, image_warnings = _images(context, cigar, extracted.images)
    services.crawl_run_count(run=run, images_added=added, errors=len(image_warnings))
    warnings.extend(image_warnings)
    stats = {
        "product": extracted.name,
        "outcome": outcome.outcome,
        "resolution": outcome.resolution,
        "offers": len(extracted.offers),
        "images": len(extracted.images),
        "sources": extracted.sources,
    }
    return "; ".join([outcome.resolution, *warnings]), stats, cigar


def _images(context: _Context, cigar, urls: list[str]) -> tuple[int, list[str]]:
    """Product images into the media store (deduplicated by BLAKE3 there); an image URL
    already linked to the cigar is not downloaded again."""
    added, warnings = 0, []
    for url in urls[: context.merchant.max_images_per_product]:
        if not context.robots.allowed(url):
            warnings.append(f"image {url} disallowed by robots.txt")
            continue
        if MediaAsset.objects.filter(cigar=cigar, original_url=url).exists():
            continue
        try:
            blob, _result = image_put_url(url, client=context.client)
        except MediaRefusedError as exc:
            warnings.append(f"image {url} refused: {exc.messages[0]}")
            continue
        with transaction.atomic():
            before = MediaAsset.objects.filter(cigar=cigar).count()
            media_asset_create(cigar=cigar, blob=blob, original_url=url)
            added += MediaAsset.objects.filter(cigar=cigar).count() - before
    return added, warnings
