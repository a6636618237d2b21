"""Every admin page of the merchants app opens; the registry form validates selectors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from merchants.crawler import merchant_crawl
from merchants.models import CrawlRun, CrawlUrl, Merchant, MerchantProduct

pytestmark = pytest.mark.django_db


@pytest.fixture
def crawled(habanos, maison, maison_server):
    return merchant_crawl(merchant=maison)


def test_every_page_opens(admin_client_logged_in, crawled):
    client = admin_client_logged_in
    product = MerchantProduct.objects.first()
    url = CrawlUrl.objects.first()
    pages = [
        reverse("admin:merchants_merchant_changelist"),
        reverse("admin:merchants_merchant_add"),
        reverse("admin:merchants_merchant_change", args=[crawled.merchant_id]),
        reverse("admin:merchants_crawlrun_changelist"),
        reverse("admin:merchants_crawlrun_change", args=[crawled.pk]),
        reverse("admin:merchants_crawlurl_changelist") + f"?run__id__exact={crawled.pk}",
        reverse("admin:merchants_crawlurl_change", args=[url.pk]),
        reverse("admin:merchants_merchantproduct_changelist"),
        reverse("admin:merchants_merchantproduct_change", args=[product.pk]),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
    run_page = client.get(reverse("admin:merchants_crawlrun_change", args=[crawled.pk]))
    assert "products 3 created" in run_page.content.decode()
    products = client.get(reverse("admin:merchants_merchantproduct_changelist")).content.decode()
    assert "review" in products  # the created cigar is flagged


def test_the_form_refuses_a_broken_selector(admin_client_logged_in, maison):
    url = reverse("admin:merchants_merchant_change", args=[maison.pk])
    data = {
        "name": maison.name,
        "slug": maison.slug,
        "base_url": maison.base_url,
        "country": "",
        "currency": "EUR",
        "enabled": "on",
        "sitemap_urls": "[]",
        "product_url_pattern": "",
        "listing_urls": "[]",
        "product_link_selector": "a.product",
        "next_page_selector": "a[rel=next]",
        "adapter": "schema_org",
        "selectors": '{"name": "h1[[["}',
        "crawl_delay_seconds": "1",
        "crawl_every_hours": "24",
        "max_pages": "100",
        "max_page_bytes": "100000",
        "max_images_per_product": "2",
        "notes": "",
    }
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 200
    assert "Invalid selector" in response.content.decode()
    data["selectors"] = '{"name": "h1.title"}'
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302
    assert Merchant.objects.get(pk=maison.pk).selectors == {"name": "h1.title"}


def test_crawl_now_action_queues_a_task(admin_client_logged_in, habanos, maison, maison_server,
                                        django_capture_on_commit_callbacks):  # fmt: skip
    url = reverse("admin:merchants_merchant_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_logged_in.post(
            url, {"action": "crawl_now", "_selected_action": [maison.pk]}, follow=True
        )
    assert "Queued a crawl of 1 merchant(s)" in response.content.decode()
    # django-q runs inline in tests: the run exists and finished.
    assert CrawlRun.objects.get().trigger == "admin"


def test_a_sampler_opens_without_a_cigar_and_shows_its_offers(admin_client_logged_in, habanos):
    from merchants import services
    from merchants.extraction.product import extract_page

    html = (
        '<script type="application/ld+json">{"@type": "Product", "name": "Cohiba Gift Set",'
        '"brand": "Cohiba", "offers": {"@type": "Offer", "name": "Box of 3", "price": "80",'
        '"priceCurrency": "EUR"}}</script>'
    )
    extracted = extract_page(html, url="https://shop.test/p/gift").products[0]
    merchant = services.merchant_create(name="Gift Shop", base_url="https://shop.test/")
    outcome = services.merchant_product_upsert(
        merchant=merchant, url="https://shop.test/p/gift", extracted=extracted, content_hash="x"
    )
    client = admin_client_logged_in
    listing = client.get(reverse("admin:merchants_merchantproduct_changelist"))
    assert "(sampler or gift set)" in listing.content.decode().casefold()
    page = client.get(
        reverse("admin:merchants_merchantproduct_change", args=[outcome.product.pk])
    ).content.decode()
    assert "Box of 3" in page
    assert "80.00" in page
