"""Writes of the merchants app: merchants, runs, the frontier, products and their packages.

The crawl loop (``merchants.crawler``) and the admin, commands and tasks call these. Each
write is one short transaction: a crawl never holds a transaction open across a fetch.

Catalogue writes go through ``catalogue.services`` (brands, lines, cigars, provenance).
Two are written here as thin functions over the catalogue models because the catalogue
services do not offer them: ``merchant_packages_upsert`` (a per-variant upsert of one
merchant's priced packages; ``cigar_set_packages`` replaces a merchant's whole set, which
would drop packages seen on other pages of the same shop) and
``merchant_packages_mark_unavailable``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from catalogue import services as catalogue_services
from catalogue.models import Cigar, CigarPackage, Packaging
from merchants.extraction.product import ExtractedOffer, ExtractedProduct
from merchants.extraction.select import SelectorError, _compile
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
from merchants.resolve import brand_for, cigar_resolve

MERCHANT_FIELDS = (
    "name",
    "slug",
    "base_url",
    "country",
    "currency",
    "adapter",
    "sitemap_urls",
    "product_url_pattern",
    "listing_urls",
    "product_link_selector",
    "next_page_selector",
    "selectors",
    "crawl_delay_seconds",
    "max_pages",
    "max_page_bytes",
    "max_images_per_product",
    "crawl_every_hours",
    "enabled",
    "notes",
)
SELECTOR_KEYS = {
    "name",
    "brand",
    "sku",
    "description",
    "wrapper",
    "binder",
    "filler",
    "country",
    "dimensions",
    "length",
    "ring_gauge",
    "images",
    "price",
    "pack",
    "specs",
    "variants",
}
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


# --- merchants ---------------------------------------------------------------------------


def merchant_validate(*, merchant: Merchant) -> None:
    """Operators type selectors in the admin: every one must compile before it is saved."""
    errors: dict[str, str] = {}
    if not isinstance(merchant.selectors, dict):
        raise ValidationError({"selectors": "A JSON object of field → selector."})
    unknown = set(merchant.selectors) - SELECTOR_KEYS
    if unknown:
        known = ", ".join(sorted(SELECTOR_KEYS))
        errors["selectors"] = f"Unknown field(s) {', '.join(sorted(unknown))}; known: {known}."
    specs: list[tuple[str, Any]] = []
    for key, value in merchant.selectors.items():
        if key in ("specs", "variants"):
            if not isinstance(value, dict) or "row" not in value:
                errors["selectors"] = f"{key!r} needs an object with a 'row' selector."
                continue
            specs.extend((f"{key}.{k}", v) for k, v in value.items())
        else:
            specs.append((key, value))
    specs += [
        ("product_link_selector", merchant.product_link_selector),
        ("next_page_selector", merchant.next_page_selector),
    ]
    for key, value in specs:
        if not value:
            continue
        try:
            _compile(str(value))
        except SelectorError as exc:
            errors.setdefault("selectors", f"{key}: {exc}")
    if merchant.product_url_pattern:
        try:
            re.compile(merchant.product_url_pattern)
        except re.error as exc:
            errors["product_url_pattern"] = f"Not a regular expression: {exc}"
    for field in ("sitemap_urls", "listing_urls"):
        value = getattr(merchant, field)
        if not isinstance(value, list) or not all(
            isinstance(u, str) and u.startswith(("http://", "https://")) for u in value
        ):
            errors[field] = "A JSON list of absolute http(s) URLs."
    if errors:
        raise ValidationError(errors)


def _after_commit_schedules() -> None:
    from merchants.schedules import schedules_register

    transaction.on_commit(schedules_register)


@transaction.atomic
def merchant_create(*, name: str, base_url: str, **fields: Any) -> Merchant:
    unknown = set(fields) - set(MERCHANT_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set."))
    fields.setdefault("slug", slugify(name)[:60])
    merchant = Merchant(name=" ".join(name.split()), base_url=base_url, **fields)
    return merchant_save_instance(merchant=merchant)


@transaction.atomic
def merchant_update(*, merchant: Merchant, **fields: Any) -> Merchant:
    unknown = set(fields) - set(MERCHANT_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set."))
    for key, value in fields.items():
        setattr(merchant, key, value)
    return merchant_save_instance(merchant=merchant)


@transaction.atomic
def merchant_save_instance(*, merchant: Merchant) -> Merchant:
    """Validate and save (the admin's form calls this too); the schedules follow."""
    merchant_validate(merchant=merchant)
    merchant.full_clean(validate_constraints=False)
    if Merchant.objects.filter(name__iexact=merchant.name).exclude(pk=merchant.pk).exists():
        raise ValidationError({"name": f"A merchant named {merchant.name!r} already exists."})
    merchant.save()
    _after_commit_schedules()
    return merchant


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


# --- products ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductOutcome:
    outcome: str  # "created" | "updated" | "unchanged"
    product: MerchantProduct
    cigar_created: bool
    resolution: str


def _vitola_name(extracted: ExtractedProduct, brand_name: str) -> str:
    """The product title without brand, pack and size: the new cigar's commercial name."""
    name = extracted.clean_name or extracted.name
    words = name.split()
    brand_words = brand_name.split()
    if [w.casefold() for w in words[: len(brand_words)]] == [w.casefold() for w in brand_words]:
        name = " ".join(words[len(brand_words) :])
    return (name.strip(" -,\u2013\u2014") or extracted.name)[:160]


def _cigar_for_new_product(extracted: ExtractedProduct) -> tuple[Cigar, bool, str]:
    """A cigar created from a product page nothing in the catalogue fits: flagged
    ``needs_review``. A product without a brand cannot be filed and is refused."""
    brand = brand_for(extracted.clean_name, extracted.brand)
    if brand is None:
        if not extracted.brand:
            raise ValidationError(f"{extracted.name!r} names no brand; cannot file it.")
        brand, _ = catalogue_services.brand_get_or_create(name=extracted.brand[:120])
    line = catalogue_services.line_default(brand=brand)
    vitola = _vitola_name(extracted, brand.name)
    existing = line.cigars.filter(vitola_name__iexact=vitola).first()
    if existing is not None:
        # Created by an earlier page (or run) with a size the search did not accept.
        return existing, False, "same name in the brand's default line"
    fields: dict[str, Any] = {"needs_review": True}
    if extracted.length_mm is not None and Decimal(40) <= extracted.length_mm <= Decimal(600):
        fields["length_mm"] = extracted.length_mm
    if extracted.ring_gauge is not None and 20 <= extracted.ring_gauge <= 100:
        fields["ring_gauge"] = extracted.ring_gauge
    for source, target in (
        ("wrapper", "wrapper_origin"),
        ("binder", "binder_origin"),
        ("filler", "filler_origin"),
        ("country", "country"),
    ):
        value = getattr(extracted, source)
        if value:
            fields[target] = value[: 160 if target == "filler_origin" else 64]
    cigar = catalogue_services.cigar_create(line=line, vitola_name=vitola, **fields)
    return cigar, True, "created"


@transaction.atomic
def merchant_product_upsert(
    *,
    merchant: Merchant,
    url: str,
    extracted: ExtractedProduct,
    content_hash: str,
    observed_at: datetime | None = None,
) -> ProductOutcome:
    """File one product page: resolve (or create) its cigar, then upsert its packages.

    A page seen before keeps its cigar (an operator may have re-pointed it in the admin);
    the search only runs for new pages.
    """
    observed_at = observed_at or timezone.now()
    product = (
        MerchantProduct.objects.select_for_update()
        .select_related("cigar")
        .filter(merchant=merchant, url=url)
        .first()
    )
    cigar_created = False
    resolution = "known page"
    if product is None:
        found = cigar_resolve(
            name=extracted.clean_name or extracted.name,
            brand=extracted.brand,
            length_mm=extracted.length_mm,
            ring_gauge=extracted.ring_gauge,
        )
        if found.cigar is not None:
            cigar, resolution = found.cigar, found.reason
        else:
            cigar, cigar_created, how = _cigar_for_new_product(extracted)
            resolution = f"{how}: {found.reason}"
        product = MerchantProduct.objects.create(
            merchant=merchant,
            url=url[:1000],
            cigar=cigar,
            name=extracted.name[:400],
            brand=extracted.brand[:120],
            sku=extracted.sku[:120],
            gtin=extracted.gtin[:32],
            content_hash=content_hash,
            resolution="created" if cigar_created else "matched",
            last_seen_at=observed_at,
        )
        outcome = "created"
    else:
        changed = product.content_hash != content_hash or product.gone_at is not None
        product.name = extracted.name[:400]
        product.brand, product.sku = extracted.brand[:120], extracted.sku[:120]
        product.gtin = extracted.gtin[:32]
        product.content_hash = content_hash
        product.last_seen_at = observed_at
        product.gone_at = None
        product.save()
        outcome = "updated" if changed else "unchanged"
    packages_changed = merchant_packages_upsert(
        cigar=product.cigar,
        merchant=merchant,
        url=url,
        offers=extracted.offers,
        observed_at=observed_at,
    )
    if outcome == "unchanged" and packages_changed:
        outcome = "updated"
    return ProductOutcome(outcome, product, cigar_created, resolution)


def _offer_package(offer: ExtractedOffer) -> tuple[int, str, str]:
    if offer.pack is not None:
        return offer.pack.pack_size, offer.pack.packaging, offer.pack.label[:255]
    # A price with no pack stated is a price per cigar (what shops show by default).
    return 1, str(Packaging.SINGLE), (offer.label or "no pack stated")[:255]


@transaction.atomic
def merchant_packages_upsert(
    *,
    cigar: Cigar,
    merchant: Merchant,
    url: str,
    offers: list[ExtractedOffer],
    observed_at: datetime,
) -> bool:
    """Upsert this page's packages (one per pack) and mark the page's packages that are
    no longer offered unavailable. True when a price, availability or pack changed;
    ``observed_at`` is refreshed either way (the price was seen again)."""
    changed = False
    seen: set[int] = set()
    for offer in offers:
        pack_size, packaging, description = _offer_package(offer)
        price = offer.price.amount if offer.price else None
        currency = (offer.price.currency or merchant.currency) if offer.price else None
        available = True if offer.available is None else offer.available
        values = {
            "price": price,
            "currency": currency,
            "description": description,
            "source_url": url[:1000],
            "is_available": available,
        }
        try:
            with transaction.atomic():
                package, created = CigarPackage.objects.select_for_update().get_or_create(
                    cigar=cigar,
                    merchant=merchant.name,
                    packaging=packaging,
                    pack_size=pack_size,
                    defaults={**values, "observed_at": observed_at},
                )
        except IntegrityError:  # a concurrent insert of the same package
            package = CigarPackage.objects.get(
                cigar=cigar, merchant=merchant.name, packaging=packaging, pack_size=pack_size
            )
            created = False
        seen.add(package.pk)
        if created:
            changed = True
            continue
        differs = any(getattr(package, k) != v for k, v in values.items())
        for key, value in values.items():
            setattr(package, key, value)
        package.observed_at = observed_at
        package.full_clean(exclude=["cigar"], validate_unique=False)
        package.save()
        changed = changed or differs
    dropped = CigarPackage.objects.filter(
        merchant=merchant.name, source_url=url, is_available=True
    ).exclude(pk__in=seen)
    if dropped.update(is_available=False):
        changed = True
    return changed


@transaction.atomic
def merchant_packages_mark_unavailable(*, merchant: Merchant, url: str) -> int:
    """A page that disappeared (404/410): its packages stay, marked unavailable."""
    now = timezone.now()
    MerchantProduct.objects.filter(merchant=merchant, url=url, gone_at__isnull=True).update(
        gone_at=now
    )
    return CigarPackage.objects.filter(
        Q(merchant=merchant.name) & Q(source_url=url) & Q(is_available=True)
    ).update(is_available=False, observed_at=now)


def provenance_record(
    *,
    url: str,
    parser: str,
    parser_version: str,
    http_status: int | None,
    content_hash: str = "",
    cigar: Cigar | None = None,
    notes: str = "",
    stats: dict[str, Any] | None = None,
):
    """Every fetch and parse leaves a ``source_record`` (the catalogue's provenance)."""
    return catalogue_services.source_record_create(
        url=url,
        parser=parser,
        parser_version=parser_version,
        content_hash=content_hash,
        http_status=http_status,
        cigar=cigar,
        notes=notes,
        stats=stats or {},
    )


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


@transaction.atomic
def merchant_product_touch(*, merchant: Merchant, url: str) -> MerchantProduct | None:
    """A page answered 304 Not Modified: the product and its prices were seen again."""
    now = timezone.now()
    product = MerchantProduct.objects.filter(merchant=merchant, url=url).first()
    if product is None:
        return None
    product.last_seen_at = now
    product.gone_at = None
    product.save(update_fields=["last_seen_at", "gone_at", "updated_at"])
    CigarPackage.objects.filter(merchant=merchant.name, source_url=url).update(observed_at=now)
    return product
