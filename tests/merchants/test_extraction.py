"""Extraction per shop fixture: JSON-LD, microdata, RDFa, per-site selectors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from merchants.extraction.fields import Money
from merchants.extraction.product import extract_page
from tests.merchants.conftest import MAISON_SELECTORS
from tests.merchants.shops import FIXTURES

BASE = "http://shop.test"


def page(shop: str, path: str) -> bytes:
    return (FIXTURES / shop / path).read_bytes().replace(b"{{BASE}}", BASE.encode())


def offers_by_pack(product):
    return {
        (o.pack.packaging, o.pack.pack_size): (o.price, o.available)
        for o in product.offers
        if o.pack
    }


def test_json_ld_product_with_offers_images_and_properties():
    result = extract_page(
        page("casa_json_ld", "products/cohiba-siglo-vi.html"),
        url=f"{BASE}/products/cohiba-siglo-vi.html",
    )
    assert result.warnings == []
    [product] = result.products
    assert product.name == "Cohiba Siglo VI"
    assert product.brand == "Cohiba"
    assert (product.sku, product.gtin) == ("COH-SVI", "8436000123456")
    assert product.images == [f"{BASE}/images/siglo-vi.jpg", f"{BASE}/images/siglo-vi-box.jpg"]
    assert (product.length_mm, product.ring_gauge, product.wrapper) == (
        Decimal("150.0"),
        52,
        "Cuba",
    )
    assert offers_by_pack(product) == {
        ("box", 25): (Money(Decimal("812.50"), "EUR"), True),
        ("box", 10): (Money(Decimal("330.00"), "EUR"), True),
        ("tube", 3): (Money(Decimal("99.90"), "EUR"), False),
    }
    assert product.sources == ["json-ld"]


def test_json_ld_graph_with_an_aggregate_offer():
    [product] = extract_page(
        page("casa_json_ld", "products/montecristo-no-2.html"), url=f"{BASE}/p"
    ).products
    assert (product.name, product.brand) == ("Montecristo No. 2", "Montecristo")
    assert (product.length_mm, product.ring_gauge) == (Decimal("156.0"), 52)
    assert offers_by_pack(product) == {
        ("box", 25): (Money(Decimal("387.50"), "EUR"), True),
        ("single", 1): (Money(Decimal("15.50"), "EUR"), True),
    }


def test_a_malformed_json_ld_block_costs_only_itself():
    result = extract_page(page("casa_json_ld", "products/cohiba-siglo-iv.html"), url=f"{BASE}/p")
    assert len(result.warnings) == 1
    assert "JSON-LD block 1 is malformed" in result.warnings[0]
    [product] = result.products
    assert product.name == "Cohiba Siglo IV"
    assert (product.length_mm, product.ring_gauge) == (Decimal("142.9"), 46)


def test_microdata_product():
    [product] = extract_page(
        page("cave_microdata", "cigares/partagas-serie-d-no-4.html"), url=f"{BASE}/c/d4.html"
    ).products
    assert product.sources == ["microdata"]
    assert (product.name, product.brand, product.sku) == (
        "Partagás Serie D No.4",
        "Partagás",
        "PAR-D4",
    )
    assert product.images == [f"{BASE}/images/serie-d-4.jpg"]
    assert (product.length_mm, product.ring_gauge) == (Decimal("124.0"), 50)
    assert offers_by_pack(product) == {
        ("box", 25): (Money(Decimal("312.50"), "EUR"), True),
        ("tin", 3): (Money(Decimal("39.00"), "EUR"), True),
    }


def test_microdata_size_in_inches():
    [product] = extract_page(
        page("cave_microdata", "cigares/romeo-y-julieta-churchills.html"), url=f"{BASE}/c"
    ).products
    assert product.brand == "Romeo y Julieta"
    assert (product.length_mm, product.ring_gauge) == (Decimal("177.8"), 47)
    assert offers_by_pack(product) == {("tube", 25): (Money(Decimal("550.00"), "EUR"), True)}


def test_rdfa_product():
    [product] = extract_page(
        page("cave_microdata", "cigares/bolivar-royal-coronas.html"), url=f"{BASE}/c"
    ).products
    assert product.sources == ["rdfa"]
    assert (product.name, product.brand) == ("Bolívar Royal Coronas", "Bolívar")
    assert (product.length_mm, product.ring_gauge) == (Decimal("124.0"), 50)
    assert offers_by_pack(product) == {("box", 25): (Money(Decimal("295.00"), "EUR"), None)}


def test_per_site_selectors_read_french_labels_prices_and_variants():
    result = extract_page(
        page("maison_selectors", "boutique/cohiba-robustos.html"),
        url=f"{BASE}/boutique/cohiba-robustos.html",
        currency="EUR",
        selectors=MAISON_SELECTORS,
    )
    assert result.warnings == []
    [product] = result.products
    assert (product.name, product.brand) == ("Cohiba Robustos", "Cohiba")
    assert (product.length_mm, product.ring_gauge) == (Decimal("124.0"), 50)
    assert (product.wrapper, product.binder, product.filler, product.country) == (
        "Cuba (Vuelta Abajo)",
        "Cuba",
        "Cuba",
        "Cuba",
    )
    assert product.images == [f"{BASE}/images/robustos.jpg"]
    assert offers_by_pack(product) == {
        ("box", 25): (Money(Decimal("1234.50"), "EUR"), True),
        ("pack", 3): (Money(Decimal("148.20"), "EUR"), False),
        ("single", 1): (Money(Decimal("49.40"), "EUR"), True),
    }


def test_selectors_read_labelled_length_and_ring():
    [product] = extract_page(
        page("maison_selectors", "boutique/montecristo-edmundo.html"),
        url=f"{BASE}/b",
        selectors=MAISON_SELECTORS,
    ).products
    assert (product.brand, product.length_mm, product.ring_gauge) == (
        "Montecristo",
        Decimal("135.0"),
        52,
    )


def test_a_page_without_a_product():
    result = extract_page(
        page("maison_selectors", "a-propos.html"), url=f"{BASE}/a", selectors=MAISON_SELECTORS
    )
    assert result.products == []


def test_a_broken_selector_is_reported_not_fatal():
    result = extract_page(
        page("casa_json_ld", "products/cohiba-siglo-vi.html"),
        url=f"{BASE}/p",
        selectors={"brand": "div[[["},
    )
    assert any("per-site selectors failed" in w for w in result.warnings)
    assert result.products[0].name == "Cohiba Siglo VI"


def test_related_products_of_another_name_are_ignored():
    html = """<html><head>
    <script type="application/ld+json">[
      {"@context": "https://schema.org", "@type": "Product", "name": "Cohiba Lanceros",
       "offers": {"@type": "Offer", "name": "Box of 25", "price": "700", "priceCurrency": "EUR"}},
      {"@context": "https://schema.org", "@type": "Product", "name": "Cohiba Lanceros",
       "offers": {"@type": "Offer", "name": "Box of 10", "price": "290", "priceCurrency": "EUR"}},
      {"@context": "https://schema.org", "@type": "Product", "name": "Cohiba Panetelas"}
    ]</script></head><body></body></html>"""
    [product] = extract_page(html, url=f"{BASE}/p").products
    assert product.name == "Cohiba Lanceros"
    assert sorted(o.pack.pack_size for o in product.offers) == [10, 25]


def test_product_group_variants_become_offers():
    html = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "ProductGroup", "name": "Cohiba Siglo I",
     "brand": "Cohiba", "hasVariant": [
       {"@type": "Product", "name": "Étui de 5",
        "offers": {"@type": "Offer", "price": "62.50", "priceCurrency": "EUR"}},
       {"@type": "Product", "name": "Boîte de 25",
        "offers": {"@type": "Offer", "price": "305.00", "priceCurrency": "EUR"}}]}
    </script></head><body></body></html>"""
    [product] = extract_page(html, url=f"{BASE}/p").products
    assert offers_by_pack(product) == {
        ("pack", 5): (Money(Decimal("62.50"), "EUR"), None),
        ("box", 25): (Money(Decimal("305.00"), "EUR"), None),
    }


@pytest.mark.parametrize("junk", [b"", b"\x00\xff\xfe binary", b"<html><body>" * 1000])
def test_junk_pages_yield_nothing(junk):
    assert extract_page(junk, url=f"{BASE}/p").products == []
