"""Whole crawls of the three shop fixtures on 127.0.0.1, against the real Habanos rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalogue.models import Cigar, CigarPackage, MediaAsset, SourceRecord
from media.models import MediaBlob
from merchants.crawler import merchant_crawl
from merchants.models import CrawlRun, CrawlUrl, MerchantProduct, RunStatus, UrlState
from merchants.services import merchant_update
from tests.support.http_server import Reply

pytestmark = pytest.mark.django_db


def packages(merchant) -> dict[tuple[str, str, int], tuple[Decimal | None, bool]]:
    return {
        (p.cigar.full_name, p.packaging, p.pack_size): (p.price, p.is_available)
        for p in CigarPackage.objects.filter(merchant=merchant.name).select_related("cigar")
    }


def states(run: CrawlRun) -> dict[str, str]:
    return {u.url.split("/", 3)[-1]: u.state for u in run.urls.all()}


def test_json_ld_shop_through_robots_sitemaps(habanos, casa, casa_server):
    cigars_before = Cigar.objects.count()
    run = merchant_crawl(merchant=casa)

    assert run.status == RunStatus.FINISHED
    assert states(run) == {
        "sitemap_index.xml": UrlState.DONE,
        "sitemap-products.xml": UrlState.DONE,
        "products/cohiba-siglo-vi.html": UrlState.DONE,
        "products/montecristo-no-2.html": UrlState.DONE,
        "products/cohiba-siglo-iv.html": UrlState.DONE,
        "products/cohiba-talisman-2017.html": UrlState.DONE,
        "private/reserve-du-patron.html": UrlState.BLOCKED,
    }
    # The offsite sitemap of the index is never followed.
    assert (run.pages_fetched, run.products_created, run.blocked_by_robots) == (6, 4, 1)
    assert packages(casa) == {
        ("Cohiba Siglo VI", "box", 25): (Decimal("812.50"), True),
        ("Cohiba Siglo VI", "box", 10): (Decimal("330.00"), True),
        ("Cohiba Siglo VI", "tube", 3): (Decimal("99.90"), False),
        ("Montecristo No.2", "box", 25): (Decimal("387.50"), True),
        ("Montecristo No.2", "single", 1): (Decimal("15.50"), True),
        ("Cohiba Siglo IV", "box", 25): (Decimal("560.00"), True),
        ("Cohiba Talismán Edición Limitada 2017", "box", 10): (Decimal("540.00"), True),
    }
    package = CigarPackage.objects.get(
        merchant=casa.name, pack_size=25, cigar__vitola_name="Siglo VI"
    )
    assert package.currency == "EUR"
    assert package.source_url == casa_server.url("/products/cohiba-siglo-vi.html")
    assert package.observed_at is not None
    # Only the limited edition is new, and it waits for a human.
    assert Cigar.objects.count() == cigars_before + 1
    talisman = Cigar.objects.get(vitola_name="Talismán Edición Limitada 2017")
    assert talisman.needs_review
    assert talisman.line.brand.name == "Cohiba"
    assert (talisman.length_mm, talisman.ring_gauge) == (Decimal("154.0"), 54)
    assert not Cigar.objects.filter(needs_review=True).exclude(pk=talisman.pk).exists()
    assert casa_server.hits("/private/reserve-du-patron.html") == 0


def test_microdata_shop_through_listing_pagination(habanos, cave, cave_server):
    run = merchant_crawl(merchant=cave)
    assert run.status == RunStatus.FINISHED
    assert packages(cave) == {
        ("Partagás Serie D No.4", "box", 25): (Decimal("312.50"), True),
        ("Partagás Serie D No.4", "tin", 3): (Decimal("39.00"), True),
        ("Romeo y Julieta Churchills", "tube", 25): (Decimal("550.00"), True),
        ("Bolívar Royal Coronas", "box", 25): (Decimal("295.00"), True),
    }
    assert cave_server.hits("/cigares/page-2.html") == 1
    # The "?ref=promo" link is the same page: fetched once.
    assert cave_server.hits("/cigares/partagas-serie-d-no-4.html") == 1
    # robots.txt has a group for our crawler: its Disallow holds, the "*" group does not.
    assert cave_server.hits("/cigares/reserve-speciale.html") == 0
    assert run.blocked_by_robots == 1
    assert not Cigar.objects.filter(needs_review=True).exists()


def test_selector_shop_in_french(habanos, maison, maison_server):
    run = merchant_crawl(merchant=maison)
    assert run.status == RunStatus.FINISHED
    assert packages(maison) == {
        ("Cohiba Robustos", "box", 25): (Decimal("1234.50"), True),
        ("Cohiba Robustos", "pack", 3): (Decimal("148.20"), False),
        ("Cohiba Robustos", "single", 1): (Decimal("49.40"), True),
        ("Montecristo Edmundos", "box", 10): (Decimal("199.00"), True),
        ("Montecristo Edmundos", "tube", 3): (Decimal("62.10"), True),
        ("Montecristo Línea 1935 Maltés", "box", 20): (Decimal("1096.00"), True),
    }
    maltes = Cigar.objects.get(vitola_name="Línea 1935 Maltés")
    assert maltes.needs_review
    assert (maltes.length_mm, maltes.ring_gauge, maltes.filler_origin) == (
        Decimal("153.0"),
        53,
        "Cuba",
    )
    about = run.urls.get(url=maison_server.url("/a-propos.html"))
    assert about.state == UrlState.DONE
    assert SourceRecord.objects.get(url=about.url).notes.startswith("no product on the page")
    assert run.products_created == 3


def test_every_fetch_leaves_provenance(habanos, casa, casa_server):
    run = merchant_crawl(merchant=casa)
    records = SourceRecord.objects.filter(parser__startswith="merchants.")
    assert records.filter(parser="merchants.robots").count() == 1
    assert records.filter(parser="merchants.sitemap").count() == 2
    product_records = records.filter(parser="merchants.schema_org")
    assert product_records.count() == 4
    siglo = product_records.get(url=casa_server.url("/products/cohiba-siglo-vi.html"))
    assert siglo.http_status == 200
    assert siglo.parser_version == "1.0"
    assert len(siglo.content_hash) == 64
    assert siglo.cigar.full_name == "Cohiba Siglo VI"
    assert siglo.stats["run"] == run.pk
    assert siglo.stats["offers"] == 3
    broken = product_records.get(url=casa_server.url("/products/cohiba-siglo-iv.html"))
    assert "JSON-LD block 1 is malformed" in broken.notes
    assert broken.cigar.full_name == "Cohiba Siglo IV"


def test_images_are_deduplicated(habanos, casa, casa_server):
    merchant_crawl(merchant=casa)
    # Five image URLs, three distinct pictures (two pairs share their bytes).
    assert MediaBlob.objects.count() == 3
    talisman = MediaAsset.objects.get(cigar__vitola_name="Talismán Edición Limitada 2017")
    siglo_front = MediaAsset.objects.get(original_url=casa_server.url("/images/siglo-vi.jpg"))
    assert talisman.blob_id == siglo_front.blob_id
    assert MediaAsset.objects.filter(cigar__vitola_name="Siglo VI").count() == 2
    assert MediaAsset.objects.get(cigar__vitola_name="Siglo VI", is_primary=True) == siglo_front

    # A second crawl downloads no image again.
    image_hits = casa_server.hits("/images/siglo-vi.jpg")
    merchant_crawl(merchant=casa)
    assert casa_server.hits("/images/siglo-vi.jpg") == image_hits
    assert (MediaBlob.objects.count(), MediaAsset.objects.count()) == (3, 5)


def test_recrawl_is_idempotent_with_conditional_get(habanos, casa, casa_server):
    merchant_crawl(merchant=casa)
    counts = (
        Cigar.objects.count(),
        CigarPackage.objects.count(),
        MerchantProduct.objects.count(),
        MediaAsset.objects.count(),
    )
    observed = CigarPackage.objects.get(merchant=casa.name, pack_size=25, price=Decimal("812.50"))

    second = merchant_crawl(merchant=casa)

    assert second.status == RunStatus.FINISHED
    assert (second.pages_not_modified, second.products_unchanged) == (4, 4)
    assert (second.products_created, second.products_updated, second.cigars_created) == (0, 0, 0)
    siglo = casa_server.url("/products/cohiba-siglo-vi.html")
    conditional = [r for r in casa_server.requests if r.path == "/products/cohiba-siglo-vi.html"]
    assert "If-None-Match" not in conditional[0].headers
    assert conditional[1].headers["If-None-Match"] == second.urls.get(url=siglo).etag
    assert second.urls.get(url=siglo).state == UrlState.NOT_MODIFIED
    assert counts == (
        Cigar.objects.count(),
        CigarPackage.objects.count(),
        MerchantProduct.objects.count(),
        MediaAsset.objects.count(),
    )
    observed_again = CigarPackage.objects.get(pk=observed.pk)
    assert observed_again.observed_at > observed.observed_at
    assert SourceRecord.objects.filter(url=siglo, http_status=304).count() == 1


def test_recrawl_without_validators_finds_nothing_changed(habanos, cave, cave_server):
    merchant_crawl(merchant=cave)
    rows = sorted(CigarPackage.objects.values_list("pk", "price", "is_available"))
    second = merchant_crawl(merchant=cave)
    assert (second.products_unchanged, second.products_created, second.products_updated) == (
        3,
        0,
        0,
    )
    assert sorted(CigarPackage.objects.values_list("pk", "price", "is_available")) == rows
    assert MerchantProduct.objects.filter(merchant=cave).count() == 3


def test_a_price_change_updates_the_package(habanos, maison, maison_server):
    merchant_crawl(merchant=maison)
    page = (maison_server.url("/boutique/cohiba-robustos.html"), "/boutique/cohiba-robustos.html")
    from tests.merchants.shops import FIXTURES

    changed = (
        (FIXTURES / "maison_selectors" / "boutique" / "cohiba-robustos.html")
        .read_bytes()
        .replace("1 234,50 €".encode(), "1 299,00 €".encode())
        .replace(b"Rupture de stock", b"En stock")
    )
    maison_server.serve(page[1], changed, "text/html; charset=utf-8")
    run = merchant_crawl(merchant=maison)
    assert (run.products_updated, run.products_unchanged) == (1, 2)
    assert packages(maison)[("Cohiba Robustos", "box", 25)] == (Decimal("1299.00"), True)
    assert packages(maison)[("Cohiba Robustos", "pack", 3)] == (Decimal("148.20"), True)
    assert (
        CigarPackage.objects.filter(cigar__vitola_name="Robustos", merchant=maison.name).count()
        == 3
    )


def test_a_disappearing_page_marks_its_packages_unavailable(habanos, casa, casa_server):
    merchant_crawl(merchant=casa)
    # The shop drops the page and its sitemap entry: known pages are still revisited.
    casa_server.route("/products/montecristo-no-2.html", Reply(404, b"gone"))
    casa_server.route(
        "/sitemap-products.xml",
        Reply(200, b'<urlset xmlns="x"/>', {"Content-Type": "application/xml"}),
    )
    run = merchant_crawl(merchant=casa)
    assert run.packages_unavailable == 2
    gone = casa_server.url("/products/montecristo-no-2.html")
    assert run.urls.get(url=gone).state == UrlState.GONE
    assert {k: v for k, v in packages(casa).items() if k[0] == "Montecristo No.2"} == {
        ("Montecristo No.2", "box", 25): (Decimal("387.50"), False),
        ("Montecristo No.2", "single", 1): (Decimal("15.50"), False),
    }
    assert MerchantProduct.objects.get(url=gone).gone_at is not None
    assert SourceRecord.objects.filter(url=gone, http_status=404).count() == 1
    # A gone page is not revisited by the next run (410 means it is not coming back).
    third = merchant_crawl(merchant=casa)
    assert not third.urls.filter(url=gone).exists()


def test_a_dropped_variant_becomes_unavailable(habanos, casa, casa_server):
    merchant_crawl(merchant=casa)
    from tests.merchants.shops import FIXTURES

    html = (FIXTURES / "casa_json_ld" / "products" / "cohiba-siglo-vi.html").read_text()
    start = html.index('{"@type": "Offer", "name": "Box of 10"')
    end = html.index('{"@type": "Offer", "name": "Cardboard')
    casa_server.serve(
        "/products/cohiba-siglo-vi.html",
        html[:start].encode() + html[end:].encode(),
        "text/html; charset=utf-8",
    )
    run = merchant_crawl(merchant=casa)
    assert run.products_updated == 1
    assert packages(casa)[("Cohiba Siglo VI", "box", 10)] == (Decimal("330.00"), False)
    assert packages(casa)[("Cohiba Siglo VI", "box", 25)] == (Decimal("812.50"), True)


def test_failures_are_counted_and_the_crawl_goes_on(habanos, casa, casa_server):
    casa_server.route(
        "/products/loop-a.html", Reply(302, b"", {"Location": "/products/loop-b.html"})
    )
    casa_server.route(
        "/products/loop-b.html", Reply(302, b"", {"Location": "/products/loop-a.html"})
    )
    casa_server.route(
        "/products/huge.html",
        Reply(200, b"<html>" + b"x" * 300_000, {"Content-Type": "text/html"}),
    )
    casa_server.route("/products/flaky.html", Reply(500, b"oops"))
    sitemap = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + b"".join(
            f"<url><loc>{casa_server.url(p)}</loc></url>".encode()
            for p in (
                "/products/loop-a.html",
                "/products/huge.html",
                "/products/missing.html",
                "/products/flaky.html",
                "/products/cohiba-siglo-vi.html",
            )
        )
        + b"</urlset>"
    )
    casa_server.route("/sitemap-products.xml", Reply(200, sitemap, {"Content-Type": "text/xml"}))
    merchant_update(merchant=casa, max_page_bytes=100_000)

    run = merchant_crawl(merchant=casa)

    assert run.status == RunStatus.FINISHED
    by_url = {u.url.rsplit("/", 1)[-1]: u for u in run.urls.all()}
    assert by_url["loop-a.html"].state == UrlState.FAILED
    assert "Redirect loop" in by_url["loop-a.html"].error
    assert by_url["huge.html"].state == UrlState.FAILED
    assert "limit" in by_url["huge.html"].error
    assert by_url["missing.html"].state == UrlState.GONE
    assert by_url["flaky.html"].state == UrlState.FAILED
    assert by_url["flaky.html"].http_status == 500
    # Retried (backoff) before giving up: the client's retries, not the frontier's.
    assert casa_server.hits("/products/flaky.html") == 4
    assert by_url["cohiba-siglo-vi.html"].state == UrlState.DONE
    assert run.errors == 3
    assert run.products_created == 1


def test_robots_server_error_means_crawl_nothing(habanos, casa, casa_server):
    casa_server.route("/robots.txt", Reply(503, b"down"))
    run = merchant_crawl(merchant=casa)
    assert run.status == RunStatus.FAILED
    assert "robots.txt unreachable" in run.message
    assert casa_server.hits("/sitemap_index.xml") == 0


def test_limit_then_resume_fetches_each_url_once(habanos, casa, casa_server):
    first = merchant_crawl(merchant=casa, limit=2)
    assert first.status == RunStatus.INCOMPLETE
    assert "--limit" in first.message
    assert first.products_created == 2
    assert first.urls.filter(state=UrlState.PENDING).count() == 2

    resumed = merchant_crawl(merchant=casa, resume=True)
    assert resumed.pk == first.pk
    assert resumed.status == RunStatus.FINISHED
    assert resumed.resumed_count == 1
    assert resumed.products_created == 4
    for path in (
        "/sitemap_index.xml",
        "/sitemap-products.xml",
        "/products/cohiba-siglo-vi.html",
        "/products/cohiba-talisman-2017.html",
    ):
        assert casa_server.hits(path) == 1, path
    assert CrawlRun.objects.count() == 1


def test_resume_after_an_interrupted_crawl(habanos, cave, cave_server):
    seen = []

    def interrupt_after_three(item, run):
        seen.append(item.url)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        merchant_crawl(merchant=cave, on_page=interrupt_after_three)
    run = CrawlRun.objects.get()
    assert run.status == RunStatus.INCOMPLETE
    assert run.urls.filter(state=UrlState.DONE).count() == 3

    resumed = merchant_crawl(merchant=cave, resume=True)

    assert resumed.pk == run.pk
    assert resumed.status == RunStatus.FINISHED
    assert resumed.products_created == 3
    assert MerchantProduct.objects.filter(merchant=cave).count() == 3
    for path in (
        "/cigares/page-1.html",
        "/cigares/page-2.html",
        "/cigares/partagas-serie-d-no-4.html",
        "/cigares/bolivar-royal-coronas.html",
    ):
        assert cave_server.hits(path) == 1, path


def test_a_crash_mid_fetch_is_refetched_on_resume(habanos, cave, cave_server):
    run = merchant_crawl(merchant=cave, limit=1)
    # A worker died while fetching: its URL is left in progress.
    stuck = run.urls.filter(state=UrlState.PENDING).order_by("id").first()
    CrawlUrl.objects.filter(pk=stuck.pk).update(state=UrlState.IN_PROGRESS)
    resumed = merchant_crawl(merchant=cave, resume=True)
    stuck.refresh_from_db()
    assert stuck.state == UrlState.DONE
    assert resumed.status == RunStatus.FINISHED


def test_resume_without_an_unfinished_run_starts_a_new_one(habanos, cave, cave_server):
    first = merchant_crawl(merchant=cave)
    second = merchant_crawl(merchant=cave, resume=True)
    assert second.pk != first.pk
    assert second.status == RunStatus.FINISHED


def test_page_budget_stops_a_runaway_crawl(habanos, cave, cave_server):
    merchant_update(merchant=cave, max_pages=2)
    run = merchant_crawl(merchant=cave)
    assert run.status == RunStatus.INCOMPLETE
    assert "page budget" in run.message
    assert run.pages_fetched == 2


def test_the_frontier_never_outgrows_the_page_budget(habanos, casa, casa_server):
    sitemap = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(
            f"<url><loc>{casa_server.url(f'/products/p{i}.html')}</loc></url>" for i in range(50)
        )
        + "</urlset>"
    ).encode()
    casa_server.route("/sitemap-products.xml", Reply(200, sitemap, {"Content-Type": "text/xml"}))
    merchant_update(merchant=casa, max_pages=5)
    run = merchant_crawl(merchant=casa)
    assert run.urls.count() == 5
    assert run.pages_fetched == 5


def test_a_page_the_catalogue_refuses_costs_only_that_page(habanos, casa, casa_server):
    """A product without a brand cannot be filed: that page fails, the crawl goes on."""
    casa_server.serve(
        "/products/cohiba-siglo-iv.html",
        b'<html><head><script type="application/ld+json">{"@context": "https://schema.org",'
        b' "@type": "Product", "name": "Mystery Torpedo"}</script></head></html>',
        "text/html; charset=utf-8",
    )
    run = merchant_crawl(merchant=casa)
    assert run.status == RunStatus.FINISHED
    failed = run.urls.get(url=casa_server.url("/products/cohiba-siglo-iv.html"))
    assert failed.state == UrlState.FAILED
    assert "names no brand" in failed.error
    assert (run.errors, run.products_created) == (1, 3)
