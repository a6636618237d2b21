"""Sitemaps, listings and URL normalisation."""

from __future__ import annotations

import gzip

import pytest

from merchants.discovery import (
    SITEMAP_MAX_INFLATED_BYTES,
    SitemapError,
    filter_products,
    normalise_url,
    parse_listing,
    parse_sitemap,
    same_site,
)
from tests.merchants.shops import FIXTURES

BASE = "http://shop.test"


def fixture(shop: str, path: str) -> bytes:
    return (FIXTURES / shop / path).read_bytes().replace(b"{{BASE}}", BASE.encode())


def test_sitemap_index_lists_sitemaps():
    found = parse_sitemap(fixture("casa_json_ld", "sitemap_index.xml"), url=f"{BASE}/s.xml")
    assert found.sitemaps == [
        f"{BASE}/sitemap-products.xml",
        "https://cdn.elsewhere.example/sitemap-offsite.xml",
    ]
    assert found.products == []


def test_urlset_lists_pages_without_fragments():
    found = parse_sitemap(fixture("casa_json_ld", "sitemap-products.xml"), url=f"{BASE}/s.xml")
    assert found.products[0] == f"{BASE}/products/cohiba-siglo-vi.html"
    assert found.products[-1] == f"{BASE}/products/cohiba-siglo-vi.html"  # "#reviews" dropped
    assert len(found.products) == 6


def test_gzipped_sitemap():
    content = gzip.compress(fixture("casa_json_ld", "sitemap-products.xml"))
    assert len(parse_sitemap(content, url=f"{BASE}/s.xml.gz").products) == 6


def test_gzip_bomb_is_refused():
    bomb = gzip.compress(b"<" + b"a" * (SITEMAP_MAX_INFLATED_BYTES + 10))
    with pytest.raises(SitemapError, match="inflates past"):
        parse_sitemap(bomb, url=f"{BASE}/s.xml.gz")


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = f"""<?xml version="1.0"?>
    <!DOCTYPE urlset [<!ENTITY x SYSTEM "file://{secret}">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>{BASE}/p/&x;</loc></url></urlset>""".encode()
    found = parse_sitemap(xml, url=f"{BASE}/s.xml")
    assert all("TOP-SECRET" not in url for url in found.products)


@pytest.mark.parametrize("content", [b"not xml at all", b"<html><body/></html>"])
def test_not_a_sitemap(content):
    with pytest.raises(SitemapError):
        parse_sitemap(content, url=f"{BASE}/s.xml")


def test_listing_links_and_next_page():
    found = parse_listing(
        fixture("cave_microdata", "cigares/page-1.html"),
        url=f"{BASE}/cigares/page-1.html",
        product_link_selector="a.product-link",
        next_page_selector="a[rel~=next], link[rel~=next]",
    )
    # Relative links resolved; the promo link is the same page once tracking is dropped.
    assert found.products == [
        f"{BASE}/cigares/partagas-serie-d-no-4.html",
        f"{BASE}/cigares/romeo-y-julieta-churchills.html",
    ]
    assert found.listings == [f"{BASE}/cigares/page-2.html"]


def test_last_listing_page_has_no_next():
    found = parse_listing(
        fixture("cave_microdata", "cigares/page-2.html"),
        url=f"{BASE}/cigares/page-2.html",
        product_link_selector="a.product-link",
        next_page_selector="a[rel~=next], link[rel~=next]",
    )
    assert found.listings == []
    assert "https://other-shop.example/cigares/cohiba.html" in found.products


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/p/a.html?utm_source=x&id=3#top", f"{BASE}/p/a.html?id=3"),
        ("b.html?ref=promo", f"{BASE}/dir/b.html"),
        ("http://shop.test", "http://shop.test/"),
    ],
)
def test_normalise_url(url, expected):
    assert normalise_url(url, base=f"{BASE}/dir/index.html") == expected


def test_filter_products_keeps_the_site_and_the_pattern():
    urls = [f"{BASE}/products/a", f"{BASE}/blog/b", "https://elsewhere.test/products/c"]
    assert filter_products(urls, pattern="/products/", base_url=f"{BASE}/") == [urls[0]]
    assert filter_products(urls, pattern="", base_url=f"{BASE}/") == urls[:2]
    assert same_site(f"{BASE}/x", "HTTP://SHOP.TEST/")
    assert not same_site("ftp://shop.test/x", BASE)
