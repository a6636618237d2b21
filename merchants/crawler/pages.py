"""One URL of the frontier: fetch it politely, read it by kind, file what it holds."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from catalogue.media_assets import media_asset_create
from catalogue.models import MediaAsset
from cigarspace.http import FetchResult, HttpError
from media.exceptions import MediaRefusedError
from media.images import image_put_url
from merchants import services
from merchants.adapters import adapter_for
from merchants.crawler.context import (
    GONE_STATUSES,
    HTML_TYPES,
    PARSER_VERSION,
    SITEMAP_MAX_BYTES,
    SITEMAP_TYPES,
    CrawlContext,
)
from merchants.discovery import (
    SitemapError,
    filter_products,
    parse_listing,
    parse_sitemap,
    same_site,
)
from merchants.extraction.select import SelectorError
from merchants.models import CrawlUrl, Merchant, UrlKind, UrlState

logger = logging.getLogger(__name__)


def enqueue(context: CrawlContext, urls: list[str], kind: str, discovered_from: str = "") -> None:
    """Queue URLs robots.txt allows; record the others as blocked (never requested).

    The frontier holds at most ``max_pages`` URLs per run: a shop whose sitemaps list
    millions of URLs cannot fill the table with pages the run would never fetch.
    """
    allowed = [u for u in urls if context.robots.allowed(u)]
    blocked = [u for u in urls if not context.robots.allowed(u)]
    room = context.merchant.max_pages - context.run.urls.count()
    if len(allowed) > room:
        logger.warning(
            "%s: frontier full (%s URLs); %s discovered URLs dropped",
            context.merchant.slug,
            context.merchant.max_pages,
            len(allowed) - max(room, 0),
        )
        allowed = allowed[: max(room, 0)]
    services.frontier_enqueue(
        run=context.run, urls=allowed, kind=kind, discovered_from=discovered_from
    )
    if blocked:
        new = services.frontier_mark_blocked(run=context.run, urls=blocked, kind=kind)
        services.crawl_run_count(run=context.run, blocked_by_robots=new)


# --- one URL ------------------------------------------------------------------------------


def _fetch(context: CrawlContext, item: CrawlUrl) -> FetchResult:
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


def _parser_name(context: CrawlContext, item: CrawlUrl) -> tuple[str, str]:
    if item.kind == UrlKind.PRODUCT:
        adapter = adapter_for(context.adapter_name)
        return adapter.parser, adapter.parser_version
    return f"merchants.{item.kind}", PARSER_VERSION


def process(context: CrawlContext, item: CrawlUrl) -> None:
    run = context.run
    parser, version = _parser_name(context, item)
    try:
        result = _fetch(context, item)
    except HttpError as exc:
        # A failed request is a request: it counts against the page budget too.
        services.crawl_run_count(run=run, pages_fetched=1)
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
    except (
        SitemapError,
        SelectorError,
        ValidationError,
        ValueError,
        ArithmeticError,  # decimal.InvalidOperation from an odd number
        DatabaseError,  # a value a constraint refuses: that product's writes rolled back
    ) as exc:
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
    context: CrawlContext, item: CrawlUrl, exc: HttpError, parser: str, version: str
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
    context: CrawlContext, item: CrawlUrl, result: FetchResult, parser: str, version: str
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


def _sitemap(context: CrawlContext, item: CrawlUrl, result: FetchResult) -> str:
    found = parse_sitemap(result.content or b"", url=result.url)
    merchant = context.merchant
    sitemaps = [u for u in found.sitemaps if same_site(u, merchant.base_url)]
    products = filter_products(
        found.products, pattern=merchant.product_url_pattern, base_url=merchant.base_url
    )
    enqueue(context, sitemaps, UrlKind.SITEMAP, discovered_from=item.url)
    enqueue(context, products, UrlKind.PRODUCT, discovered_from=item.url)
    return f"{len(sitemaps)} sitemaps, {len(products)} product URLs"


def _listing(context: CrawlContext, item: CrawlUrl, result: FetchResult) -> str:
    merchant = context.merchant
    found = parse_listing(
        result.content or b"",
        url=result.url,
        product_link_selector=merchant.product_link_selector,
        next_page_selector=merchant.next_page_selector,
    )
    products = [u for u in found.products if same_site(u, merchant.base_url)]
    listings = [u for u in found.listings if same_site(u, merchant.base_url)]
    enqueue(context, products, UrlKind.PRODUCT, discovered_from=item.url)
    enqueue(context, listings, UrlKind.LISTING, discovered_from=item.url)
    return f"{len(products)} product links, next page: {listings[0] if listings else 'none'}"


def _product(context: CrawlContext, item: CrawlUrl, result: FetchResult):
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
    if cigar is not None:  # samplers and accessories are not in the catalogue
        added, image_warnings = product_images_store(
            merchant=merchant,
            client=context.client,
            robots=context.robots,
            cigar=cigar,
            urls=extracted.images,
        )
        services.crawl_run_count(run=run, images_added=added, errors=len(image_warnings))
        warnings.extend(image_warnings)
    if outcome.unknown_packs:
        warnings.append(
            f"{outcome.unknown_packs} offer(s) without a pack on the page: kept with the pack "
            "unknown, no catalogue package priced"
        )
    stats = {
        "product": extracted.name,
        "outcome": outcome.outcome,
        "resolution": outcome.resolution,
        "kind": extracted.kind,
        "offers": len(extracted.offers),
        "offers_without_pack": outcome.unknown_packs,
        "images": len(extracted.images),
        "sources": extracted.sources,
    }
    return "; ".join([outcome.resolution, *warnings]), stats, cigar


def product_images_store(
    *, merchant: Merchant, client, robots, cigar, urls: list[str]
) -> tuple[int, list[str]]:
    """Product images into the media store (deduplicated by BLAKE3 there); an image URL
    already linked to the cigar is not downloaded again. The crawl and ``scrape_url
    --store`` share it."""
    added, warnings = 0, []
    for url in urls[: merchant.max_images_per_product]:
        if not robots.allowed(url):
            warnings.append(f"image {url} disallowed by robots.txt")
            continue
        if MediaAsset.objects.filter(cigar=cigar, original_url=url).exists():
            continue
        try:
            blob, _result = image_put_url(url, client=client)
        except MediaRefusedError as exc:
            warnings.append(f"image {url} refused: {exc.messages[0]}")
            continue
        with transaction.atomic():
            before = MediaAsset.objects.filter(cigar=cigar).count()
            media_asset_create(cigar=cigar, blob=blob, original_url=url)
            added += MediaAsset.objects.filter(cigar=cigar).count() - before
    return added, warnings
