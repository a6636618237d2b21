"""Merchant registry writes, schedules, frontier claims and package upserts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_q.models import Schedule

from catalogue.models import CigarPackage
from merchants import services
from merchants.extraction.fields import Money, Pack
from merchants.extraction.product import ExtractedOffer, ExtractedProduct
from merchants.models import CrawlUrl, MerchantProduct, UrlKind, UrlState
from merchants.schedules import crawl_schedule_name, schedules_register

pytestmark = pytest.mark.django_db


def make(**fields):
    return services.merchant_create(name="Test Shop", base_url="https://shop.test/", **fields)


def test_create_defaults_slug_and_registers_a_schedule(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        merchant = make(crawl_every_hours=12)
    assert merchant.slug == "test-shop"
    schedule = Schedule.objects.get(name=crawl_schedule_name("test-shop"))
    assert (schedule.func, schedule.args, schedule.minutes) == (
        "merchants.tasks.crawl_merchant",
        "('test-shop',)",
        720,
    )


def test_schedules_are_idempotent_and_follow_the_enabled_flag(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        merchant = make()
    first = Schedule.objects.get(name=crawl_schedule_name(merchant.slug))
    next_run = first.next_run
    schedules_register()
    schedules_register()
    again = Schedule.objects.get(name=crawl_schedule_name(merchant.slug))
    assert (again.pk, again.next_run) == (first.pk, next_run)  # the cadence is kept
    with django_capture_on_commit_callbacks(execute=True):
        services.merchant_update(merchant=merchant, enabled=False)
    assert not Schedule.objects.filter(name__startswith="merchants: ").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"selectors": {"name": "h1[[["}}, "selectors"),
        ({"selectors": {"colour": "h1"}}, "selectors"),
        ({"selectors": {"variants": {"label": "td"}}}, "selectors"),
        ({"selectors": {"name": "xpath://h1["}}, "selectors"),
        ({"product_url_pattern": "(unclosed"}, "product_url_pattern"),
        ({"sitemap_urls": ["/relative.xml"]}, "sitemap_urls"),
        ({"listing_urls": "https://shop.test/list"}, "listing_urls"),
        ({"currency": "euro"}, "currency"),
    ],
)
def test_bad_configuration_is_refused_with_the_field_named(fields, field):
    with pytest.raises(ValidationError) as caught:
        make(**fields)
    assert field in caught.value.message_dict


def test_names_are_unique_whatever_the_case():
    make()
    with pytest.raises(ValidationError, match="already exists"):
        services.merchant_create(name="TEST SHOP", slug="other", base_url="https://x.test/")


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError):
        make(owner="me")


def test_frontier_never_queues_a_url_twice(db):
    merchant = make()
    run = services.crawl_run_start(merchant=merchant)
    urls = ["https://shop.test/a", "https://shop.test/b", "https://shop.test/a"]
    assert services.frontier_enqueue(run=run, urls=urls, kind=UrlKind.PRODUCT) == 2
    assert services.frontier_enqueue(run=run, urls=urls, kind=UrlKind.PRODUCT) == 0
    first = services.frontier_claim_next(run=run)
    second = services.frontier_claim_next(run=run)
    assert (first.url, second.url) == ("https://shop.test/a", "https://shop.test/b")
    assert (first.state, first.attempts) == (UrlState.IN_PROGRESS, 1)
    assert services.frontier_claim_next(run=run) is None
    # Done URLs are not queued again either.
    services.frontier_mark(item=first, state=UrlState.DONE, http_status=200)
    assert services.frontier_enqueue(run=run, urls=["https://shop.test/a"], kind="product") == 0


def test_a_claim_lost_to_another_worker_moves_on(db):
    merchant = make()
    run = services.crawl_run_start(merchant=merchant)
    services.frontier_enqueue(run=run, urls=["https://shop.test/a", "https://shop.test/b"],
                              kind=UrlKind.PRODUCT)  # fmt: skip
    # Another worker claimed "a" between our read and our update.
    CrawlUrl.objects.filter(url="https://shop.test/a").update(state=UrlState.IN_PROGRESS)
    assert services.frontier_claim_next(run=run).url == "https://shop.test/b"


def test_previous_validators_come_from_the_latest_successful_fetch(db):
    merchant = make()
    old_run = services.crawl_run_start(merchant=merchant)
    services.frontier_enqueue(run=old_run, urls=["https://shop.test/a"], kind=UrlKind.PRODUCT)
    item = services.frontier_claim_next(run=old_run)
    services.frontier_mark(item=item, state=UrlState.DONE, http_status=200, etag='"v1"',
                           last_modified="Sun, 01 Nov 2026 10:00:00 GMT")  # fmt: skip
    assert services.frontier_previous_validators(merchant=merchant, url=item.url) == (
        '"v1"',
        "Sun, 01 Nov 2026 10:00:00 GMT",
    )
    assert services.frontier_previous_validators(merchant=merchant, url="https://x") == ("", "")


def _product(offers, name="Cohiba Siglo VI", brand="Cohiba"):
    return ExtractedProduct(name=name, brand=brand, offers=offers)


def _offer(size, packaging, price, available=True):
    return ExtractedOffer(
        label=f"{packaging} of {size}",
        pack=Pack(size, packaging, f"{packaging} of {size}"),
        price=Money(Decimal(price), "EUR"),
        available=available,
    )


def test_product_upsert_resolves_then_keeps_its_cigar(habanos):
    merchant = make()
    url = "https://shop.test/p/siglo-vi"
    first = services.merchant_product_upsert(
        merchant=merchant, url=url, extracted=_product([_offer(25, "box", "800")]),
        content_hash="a",
    )  # fmt: skip
    assert (first.outcome, first.cigar_created) == ("created", False)
    assert first.product.cigar.full_name == "Cohiba Siglo VI"
    # The page now says something else: the page keeps its cigar (a human may have
    # re-pointed it), only its data and prices follow.
    second = services.merchant_product_upsert(
        merchant=merchant, url=url, extracted=_product([_offer(25, "box", "820")], name="Siglo VI"),
        content_hash="b",
    )  # fmt: skip
    assert second.outcome == "updated"
    assert second.product.cigar_id == first.product.cigar_id
    assert CigarPackage.objects.get(merchant=merchant.name).price == Decimal("820.00")
    same = services.merchant_product_upsert(
        merchant=merchant, url=url, extracted=_product([_offer(25, "box", "820")], name="Siglo VI"),
        content_hash="b",
    )  # fmt: skip
    assert same.outcome == "unchanged"
    assert MerchantProduct.objects.count() == 1


def test_a_product_without_a_brand_is_refused(habanos):
    with pytest.raises(ValidationError, match="names no brand"):
        services.merchant_product_upsert(
            merchant=make(), url="https://shop.test/p/x",
            extracted=_product([], name="Mystery Torpedo", brand=""), content_hash="x",
        )  # fmt: skip


def test_an_unknown_brand_is_created_with_the_cigar_flagged(habanos):
    outcome = services.merchant_product_upsert(
        merchant=make(), url="https://shop.test/p/x",
        extracted=_product([_offer(10, "box", "120")], name="Vegueros Tapados", brand="Vegueros"),
        content_hash="x",
    )  # fmt: skip
    cigar = outcome.product.cigar
    assert outcome.cigar_created
    assert (cigar.line.brand.name, cigar.vitola_name, cigar.needs_review) == (
        "Vegueros",
        "Tapados",
        True,
    )


def test_packages_upsert_per_pack_and_a_price_without_pack_prices_no_package(habanos):
    merchant = make()
    cigar = habanos[0]
    now = timezone.now()
    offers = [
        _offer(25, "box", "300"),
        # A price the page states no pack for: it may be a box's price, so it must not
        # become one cigar's.
        ExtractedOffer(label="", pack=None, price=Money(Decimal("280.00"), None)),
    ]
    assert services.merchant_packages_upsert(
        cigar=cigar, merchant=merchant, url="https://shop.test/p", offers=offers, observed_at=now
    )
    box = CigarPackage.objects.get(merchant=merchant.name)
    assert (box.pack_size, box.price, box.currency) == (25, Decimal("300"), "EUR")
    assert not CigarPackage.objects.filter(merchant=merchant.name, pack_size=1).exists()
    later = now + timedelta(hours=1)
    assert not services.merchant_packages_upsert(
        cigar=cigar, merchant=merchant, url="https://shop.test/p", offers=offers, observed_at=later
    )
    assert CigarPackage.objects.get(pk=box.pk).observed_at == later
    # The catalogue's own packages of the cigar (merchant "") are never touched.
    assert not CigarPackage.objects.filter(merchant="").exists()


def test_mark_unavailable_keeps_the_rows(habanos):
    merchant = make()
    url = "https://shop.test/p/siglo-vi"
    services.merchant_product_upsert(
        merchant=merchant, url=url, content_hash="a",
        extracted=_product([_offer(25, "box", "800"), _offer(10, "box", "330")]),
    )  # fmt: skip
    assert services.merchant_packages_mark_unavailable(merchant=merchant, url=url) == 2
    assert services.merchant_packages_mark_unavailable(merchant=merchant, url=url) == 0
    assert CigarPackage.objects.filter(merchant=merchant.name, is_available=False).count() == 2
    assert MerchantProduct.objects.get(url=url).gone_at is not None


def test_a_rename_keeps_the_merchants_packages(habanos):
    merchant = make()
    url = "https://shop.test/p/siglo-vi"
    services.merchant_product_upsert(
        merchant=merchant, url=url, content_hash="a", extracted=_product([_offer(25, "box", "8")])
    )
    services.merchant_update(merchant=merchant, name="Test Shop Paris")
    assert list(CigarPackage.objects.values_list("merchant", flat=True)) == ["Test Shop Paris"]


def test_the_merchants_packages_are_found_by_id_not_by_the_label(habanos):
    """Another shop with the label of ours, or a label edited by hand, changes nothing:
    merchants joins its packages through ``MerchantPackage`` and the offers' links."""
    merchant = make()
    url = "https://shop.test/p/siglo-vi"
    services.merchant_product_upsert(
        merchant=merchant, url=url, content_hash="a", extracted=_product([_offer(25, "box", "8")])
    )
    package = CigarPackage.objects.get()
    assert list(merchant.packages.values_list("package_id", flat=True)) == [package.pk]
    CigarPackage.objects.filter(pk=package.pk).update(merchant="Label edited by hand")
    # The same pack seen again updates the same row (found by id), none is added.
    services.merchant_product_upsert(
        merchant=merchant, url=url, content_hash="b", extracted=_product([_offer(25, "box", "9")])
    )
    assert list(CigarPackage.objects.values_list("pk", "price")) == [(package.pk, Decimal("9.00"))]
    # A row carrying the shop's name that the shop never priced is not the shop's.
    stranger = CigarPackage.objects.create(
        cigar=package.cigar, merchant=merchant.name, pack_size=10, packaging="box",
        source_url=url,
    )  # fmt: skip
    assert services.merchant_packages_mark_unavailable(merchant=merchant, url=url) == 1
    stranger.refresh_from_db()
    assert stranger.is_available is True
    services.merchant_update(merchant=merchant, name="Test Shop Lyon")
    assert dict(CigarPackage.objects.values_list("pk", "merchant")) == {
        package.pk: "Test Shop Lyon",
        stranger.pk: "Test Shop",
    }
