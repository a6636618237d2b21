"""Reads of the merchants app."""

from __future__ import annotations

from django.db.models import QuerySet

from merchants.models import CrawlRun, CrawlUrl, Merchant, MerchantProduct


def merchant_get(*, reference: str) -> Merchant:
    """A merchant by slug or id (what operators type); ``Merchant.DoesNotExist`` if none."""
    text = str(reference).strip()
    merchant = Merchant.objects.filter(slug=text).first()
    if merchant is None and text.isdigit():
        merchant = Merchant.objects.filter(pk=int(text)).first()
    if merchant is None:
        raise Merchant.DoesNotExist(f"No merchant with slug or id {text!r}.")
    return merchant


def merchant_for_url(*, url: str) -> Merchant | None:
    """The merchant whose base URL is on the same host as ``url`` (``scrape_url``)."""
    from merchants.discovery import same_site

    for merchant in Merchant.objects.order_by("pk"):
        if same_site(url, merchant.base_url):
            return merchant
    return None


def crawl_run_list(*, merchant: Merchant | None = None) -> QuerySet[CrawlRun]:
    runs = CrawlRun.objects.select_related("merchant")
    return runs.filter(merchant=merchant) if merchant is not None else runs


def crawl_run_frontier(*, run: CrawlRun) -> QuerySet[CrawlUrl]:
    return CrawlUrl.objects.filter(run=run).order_by("id")


def merchant_product_list(*, merchant: Merchant) -> QuerySet[MerchantProduct]:
    return (
        MerchantProduct.objects.filter(merchant=merchant)
        .select_related("cigar")
        .prefetch_related("offers")
    )
