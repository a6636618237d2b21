"""Merchant fixtures: the real Habanos catalogue and three shops on 127.0.0.1."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils.text import slugify

from catalogue.models import Brand, Cigar, CigarLine
from catalogue.naming import cigar_full_name, search_key
from catalogue.search import forget_brand_keys
from merchants import services
from tests.merchants.shops import ShopServer, jpeg_bytes

HABANOS_CSV = Path(__file__).resolve().parents[2] / "catalogue" / "fixtures" / "habanos-2016.csv"

# The same picture under two URLs of two products: the blob store must keep it once.
RED = jpeg_bytes((170, 40, 30))
BROWN = jpeg_bytes((120, 80, 40))
GREEN = jpeg_bytes((40, 120, 60))


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    request.getfixturevalue("db")
    cache.clear()
    forget_brand_keys()  # brand ids differ from one test to the next
    yield
    cache.clear()
    forget_brand_keys()


# The brands the shop fixtures sell, with every cigar of theirs in the demo catalogue (so
# that near names — Churchills and Short Churchills, Siglo IV and VI — compete for real).
BRANDS = {"Cohiba", "Montecristo", "Partagás", "Romeo y Julieta", "Bolívar"}


@pytest.fixture
def habanos(db):
    """The real Habanos rows of those brands (see ``write_habanos``)."""
    return write_habanos(BRANDS)


@pytest.fixture
def habanos_all(db):
    """All 188 Habanos of the demo catalogue."""
    return write_habanos(None)


def write_habanos(brands: set[str] | None) -> list[Cigar]:
    """The real Habanos rows (names, sizes, factory names) of ``brands`` (None: all).

    Written in bulk with the catalogue's own naming functions rather than through the
    importer: ~40 queries per row made every crawl test seconds slower, and the importer
    has its own tests. Derived fields are computed exactly as the services compute them.
    """
    with HABANOS_CSV.open(newline="", encoding="utf-8") as source:
        rows = [row for row in csv.DictReader(source) if brands is None or row["brand"] in brands]
    brands = {
        name: Brand(name=name, slug=slugify(name), country="Cuba")
        for name in sorted({row["brand"] for row in rows})
    }
    Brand.objects.bulk_create(brands.values())
    line_keys = sorted({(row["brand"], row["line"] or row["brand"]) for row in rows})
    lines = {
        key: CigarLine(brand=brands[key[0]], name=key[1], slug=slugify(key[1])) for key in line_keys
    }
    CigarLine.objects.bulk_create(lines.values())
    cigars, slugs = [], set()
    for row in rows:
        line = lines[(row["brand"], row["line"] or row["brand"])]
        full_name = cigar_full_name(brand=row["brand"], line=line.name, vitola=row["name"])
        slug = slugify(full_name)
        while slug in slugs:
            slug += "-2"
        slugs.add(slug)
        cigars.append(
            Cigar(
                line=line,
                external_id=row["external_id"],
                vitola_name=row["name"],
                vitola_de_galera=row["vitola_de_galera"] or None,
                full_name=full_name,
                search_name=search_key(full_name),
                slug=slug,
                length_mm=Decimal(row["length_mm"]) if row["length_mm"] else None,
                ring_gauge=int(row["ring_gauge"]) if row["ring_gauge"] else None,
                wrapper_origin=row["wrapper"],
                country=row["country"],
            )
        )
    return Cigar.objects.bulk_create(cigars)


def _images(server: ShopServer) -> None:
    server.image("/images/siglo-vi.jpg", RED)
    server.image("/images/siglo-vi-box.jpg", BROWN)
    server.image("/images/talisman.jpg", RED)  # same bytes as siglo-vi.jpg
    server.image("/images/montecristo-no-2.jpg", GREEN)
    server.image("/images/siglo-iv.jpg", BROWN)
    server.image("/images/serie-d-4.jpg", GREEN)
    server.image("/images/churchills.jpg", jpeg_bytes((10, 10, 10)))
    server.image("/images/robustos.jpg", jpeg_bytes((200, 200, 200)))
    server.image("/images/edmundo.jpg", jpeg_bytes((90, 60, 30)))


@pytest.fixture
def casa_server():
    with ShopServer("casa_json_ld", etags=True) as server:
        _images(server)
        yield server


@pytest.fixture
def cave_server():
    with ShopServer("cave_microdata") as server:
        _images(server)
        yield server


@pytest.fixture
def maison_server():
    with ShopServer("maison_selectors") as server:
        _images(server)
        yield server


@pytest.fixture
def casa(db, casa_server):
    """JSON-LD products, discovered through the sitemap robots.txt announces."""
    return services.merchant_create(
        name="La Casa del Habano",
        slug="casa",
        base_url=casa_server.url("/"),
        country="FR",
        currency="EUR",
        crawl_delay_seconds=Decimal("0"),
    )


@pytest.fixture
def cave(db, cave_server):
    """Microdata (and one RDFa) products behind a paginated listing."""
    return services.merchant_create(
        name="La Cave à Cigares",
        slug="cave",
        base_url=cave_server.url("/"),
        listing_urls=[cave_server.url("/cigares/page-1.html")],
        product_link_selector="a.product-link",
        crawl_delay_seconds=Decimal("0"),
    )


MAISON_SELECTORS = {
    "name": "h1.titre-produit",
    "brand": "xpath:normalize-space(substring-after(//p[@class='marque'], ':'))",
    "images": "img.photo-produit@src",
    "specs": {"row": "dl.caracteristiques > div", "label": "dt", "value": "dd"},
    "variants": {
        "row": "table.formats tbody tr",
        "label": "td.format",
        "price": "td.prix",
        "availability": "td.stock",
    },
}


@pytest.fixture
def maison(db, maison_server):
    """No structured data: French pages read through per-site selectors."""
    return services.merchant_create(
        name="Maison du Cigare",
        slug="maison",
        base_url=maison_server.url("/"),
        sitemap_urls=[maison_server.url("/sitemap.xml")],
        selectors=MAISON_SELECTORS,
        crawl_delay_seconds=Decimal("0"),
    )
