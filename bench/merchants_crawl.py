"""Benchmark: crawling a merchant — accuracy on real page shapes, extraction speed, a whole
crawl, politeness, re-crawl.

    python bench/merchants_crawl.py [--only accuracy|scale] [--pages 300] [--delay 0.2]
                                    [--polite-pages 15] [--misses]

0. Accuracy: the "real shapes" pages (``tests/merchants/fixtures/real_shapes``: JSON-LD
   of German shops with quantities only in ``eligibleQuantity``, BigCommerce microdata,
   Shopify, WooCommerce, Shopware, Magento, RDFa, a review site without structured data,
   a sampler, an accessory) are crawled and what was stored is compared, field by field,
   with what each page sells (``tests/merchants/real_shapes.py``): a table of per-field
   accuracy (``--misses`` lists every wrong field).

A synthetic shop on 127.0.0.1 sells ``--pages`` products in JSON-LD (names of the real
Habanos demo catalogue, plus one in ten that the catalogue does not hold), listed in a
sitemap, each with two pack variants and a picture. It prints:

1. extraction alone (parse + schema.org + fields), pages per second;
2. a whole crawl without a crawl delay: wall time, pages per second, products matched vs
   created for review, database queries per product page;
3. the same shop with a ``--delay`` crawl delay over ``--polite-pages`` pages: the gaps
   between requests as the server saw them (min / median), against the delay;
4. a re-crawl answered with 304s (conditional GET): wall time and counts.

Figures are printed, never asserted. Everything runs in a database of its own
(``cigarspace_bench_merchants``), inside a transaction rolled back at the end, with a
temporary blob store.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import itertools
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get("CIGARSPACE_BENCH_DB", "cigarspace_bench_merchants")
HABANOS = ROOT / "catalogue" / "fixtures" / "habanos-2016.csv"


def _django(store_dir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cigarspace.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["CIGARSPACE_DB_NAME"] = BENCH_DB
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if settings.DATABASES["default"]["ENGINE"] == "cigarspace.db.embedded":
        from cigarspace import embedded_db

        embedded_db.ensure_running(settings.CIGARSPACE_DATA_DIR, database=BENCH_DB)
    call_command("migrate", verbosity=0, skip_checks=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(store_dir)},
        },
    }
    # The synthetic shop listens on 127.0.0.1, which the address guard refuses otherwise.
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]


def _jpeg(seed: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), (seed * 37 % 256, seed * 91 % 256, seed * 53 % 256)).save(
        buffer, format="JPEG"
    )
    return buffer.getvalue()


def _product_page(name: str, brand: str, length: str, ring: str, index: int) -> bytes:
    box = 20 + index % 10
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title>
<script type="application/ld+json">
{{"@context": "https://schema.org", "@type": "Product", "name": "{name}",
  "brand": {{"@type": "Brand", "name": "{brand}"}}, "sku": "SKU-{index}",
  "image": "/images/{index % 40}.jpg",
  "description": "{length} x {ring} ring.",
  "offers": [
    {{"@type": "Offer", "name": "Box of 25", "price": "{box * 25}.00", "priceCurrency": "EUR",
      "availability": "https://schema.org/InStock"}},
    {{"@type": "Offer", "name": "Étui de 3", "price": "{box * 3},50", "priceCurrency": "EUR"}}
  ]}}
</script></head><body><h1>{name}</h1>{"<p>filler</p>" * 200}</body></html>""".encode()


def _shop(pages: int):
    from tests.support.http_server import LocalHttpServer, Reply

    with HABANOS.open(newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    rng = random.Random(9)
    server = LocalHttpServer().__enter__()
    arrivals: list[float] = []
    base = server.base_url

    def serve(path: str, body: bytes, content_type: str) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'

        def handler(request):
            arrivals.append(time.monotonic())
            if request.headers.get("If-None-Match") == etag:
                return Reply(304, b"", {"ETag": etag})
            return Reply(200, body, {"Content-Type": content_type, "ETag": etag})

        server.route(path, handler)

    urls, expected_new = [], 0
    for index in range(pages):
        if index % 10 == 9:
            name, brand, length, ring = f"Cohiba Edición Bench {index}", "Cohiba", "150", "52"
            expected_new += 1
        else:
            row = rng.choice(rows)
            name = (
                row["name"]
                if row["name"].startswith(row["brand"])
                else (f"{row['brand']} {row['name']}")
            )
            brand, length, ring = row["brand"], row["length_mm"] or "", row["ring_gauge"] or ""
        path = f"/products/p{index}.html"
        serve(path, _product_page(name, brand, length, ring, index), "text/html; charset=utf-8")
        urls.append(f"{base}{path}")
    for image in range(40):
        serve(f"/images/{image}.jpg", _jpeg(image), "image/jpeg")
    serve("/robots.txt", f"User-agent: *\nSitemap: {base}/sitemap.xml\n".encode(), "text/plain")
    sitemap = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    serve(
        "/sitemap.xml",
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{sitemap}</urlset>'.encode(),
        "application/xml",
    )
    return server, arrivals, urls, expected_new


def accuracy(*, show_misses: bool) -> None:
    """0. Per-field accuracy of a crawl of the real-shapes pages (inside the caller's
    transaction, with the Habanos catalogue already imported)."""
    import requests

    from merchants.crawler import merchant_crawl
    from merchants.extraction.product import extract_page
    from merchants.services import merchant_create
    from tests.merchants.real_shapes import (
        FIELDS,
        PAGES,
        SHOP,
        format_table,
        real_shapes_catalogue,
        score_crawl,
        serve_real_shapes,
    )
    from tests.merchants.shops import ShopServer, jpeg_bytes

    real_shapes_catalogue()
    with ShopServer(SHOP) as server:
        serve_real_shapes(server, jpeg_bytes((120, 90, 60)))
        merchant = merchant_create(
            name="Real Shapes",
            slug="real-shapes",
            base_url=server.url("/"),
            sitemap_urls=[server.url("/sitemap.xml")],
            crawl_delay_seconds=Decimal("0"),
        )
        started = time.perf_counter()
        merchant_crawl(merchant=merchant)
        elapsed = time.perf_counter() - started

        def extract(url: str):
            found = extract_page(requests.get(url, timeout=10).content, url=url).products
            return found[0] if found else None

        tallies = score_crawl(merchant=merchant, base_url=server.base_url, extract=extract)
    print(
        format_table(
            tallies,
            title=f"0. accuracy on {len(PAGES)} real-shape pages (crawled in {elapsed:.1f} s):",
        )
    )
    if show_misses:
        for name in FIELDS:
            for miss in tallies[name].misses:
                print(f"   miss [{name}] {miss}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("accuracy", "scale"))
    parser.add_argument("--misses", action="store_true", help="List every wrong field.")
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--polite-pages", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cigarspace-bench-merchants-") as store:
        _django(Path(store))
        from django.db import connection, transaction

        from catalogue.importer import catalogue_import
        from catalogue.models import Cigar
        from merchants.crawler import merchant_crawl
        from merchants.extraction.product import extract_page
        from merchants.services import merchant_create

        server, arrivals, urls, expected_new = _shop(args.pages)
        print(f"shop: {args.pages} product pages ({expected_new} not in the catalogue)")

        class Rollback(Exception):
            pass

        try:
            with transaction.atomic():
                catalogue_import(path=HABANOS)
                print(f"catalogue: {Cigar.objects.count()} cigars")
                if args.only != "scale":
                    accuracy(show_misses=args.misses)
                if args.only == "accuracy":
                    raise Rollback

                # 1. Extraction alone.
                import requests

                bodies = [requests.get(u, timeout=10).content for u in urls]
                started = time.perf_counter()
                for url, body in zip(urls, bodies, strict=True):
                    extract_page(body, url=url, currency="EUR")
                elapsed = time.perf_counter() - started
                print(
                    f"1. extraction: {len(bodies)} pages in {elapsed:.2f} s = "
                    f"{len(bodies) / elapsed:.0f} pages/s "
                    f"({sum(map(len, bodies)) / len(bodies) / 1024:.1f} KiB per page)"
                )

                # 2. A whole crawl, no delay.
                merchant = merchant_create(
                    name="Bench Shop", base_url=f"{server.base_url}/", crawl_delay_seconds=0
                )
                arrivals.clear()
                queries = []

                def count(execute, sql, params, many, context):
                    queries.append(1)
                    return execute(sql, params, many, context)

                with connection.execute_wrapper(count):
                    started = time.perf_counter()
                    run = merchant_crawl(merchant=merchant)
                    elapsed = time.perf_counter() - started
                print(
                    f"2. crawl: {run.pages_fetched} pages in {elapsed:.2f} s = "
                    f"{run.pages_fetched / elapsed:.1f} pages/s; products created "
                    f"{run.products_created}, new cigars for review {run.cigars_created} "
                    f"(expected {expected_new}), images {run.images_added}, errors "
                    f"{run.errors}; {len(queries) / max(1, run.products_created):.0f} "
                    "queries per product page"
                )

                # 3. Politeness: the gaps between requests as the server saw them.
                polite = merchant_create(
                    name="Bench Shop Polite",
                    slug="bench-polite",
                    base_url=f"{server.base_url}/",
                    crawl_delay_seconds=Decimal(str(args.delay)),
                )
                arrivals.clear()
                merchant_crawl(merchant=polite, limit=args.polite_pages)
                gaps = [b - a for a, b in itertools.pairwise(arrivals)]
                print(
                    f"3. politeness: delay {args.delay:.2f} s, {len(arrivals)} requests, gaps "
                    f"min {min(gaps):.3f} s / median {statistics.median(gaps):.3f} s / "
                    f"max {max(gaps):.3f} s"
                )

                # 4. Re-crawl: every product page answers 304.
                started = time.perf_counter()
                again = merchant_crawl(merchant=merchant)
                elapsed = time.perf_counter() - started
                print(
                    f"4. re-crawl: {again.pages_fetched} pages in {elapsed:.2f} s, "
                    f"{again.pages_not_modified} not modified, {again.products_unchanged} "
                    f"unchanged, {again.products_created} created, {again.cigars_created} "
                    "new cigars"
                )
                raise Rollback
        except Rollback:
            pass
        finally:
            server.__exit__(None, None, None)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
