"""Issue #22's patterns 5-9 on pages of our own: fallbacks, brand and line, samplers and
accessories, title noise, pages without structured data; and the shapes around them."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from catalogue.models import Brand, Cigar, CigarPackage
from merchants import services
from merchants.extraction.fields import clean_product_name
from merchants.extraction.kinds import product_kind
from merchants.models import MerchantProduct
from merchants.resolve import brand_and_line
from tests.merchants.pages import URL, json_ld, packs, page, read_product

# --- 5. fallbacks: og:image, og:availability, visible stock words ------------------------------


def test_og_image_and_og_availability_are_used():
    html = page(
        '<meta property="og:image" content="/img/share.jpg">'
        '<meta property="og:availability" content="out of stock">'
        + json_ld({"@type": "Product", "name": "Quai d'Orsay No.50",
                    "offers": {"@type": "Offer", "name": "Box of 10", "price": "160"}}),
    )  # fmt: skip
    product = read_product(html)
    assert product.images == ["https://shop.test/img/share.jpg"]
    assert [o.available for o in product.offers] == [False]


@pytest.mark.parametrize("words", ["OUT OF STOCK", "Ausverkauft", "Épuisé", "Agotado", "Esaurito"])
def test_visible_out_of_stock_words(words):
    html = page(
        json_ld({"@type": "Product", "name": "San Cristóbal El Príncipe",
                  "offers": {"@type": "Offer", "name": "Box of 25", "price": "150"}}),
        f"<h1>San Cristóbal El Príncipe</h1><p class='availability'>{words}</p>",
    )  # fmt: skip
    assert [o.available for o in read_product(html).offers] == [False]


def test_stock_words_of_related_products_do_not_count():
    html = page(
        json_ld({"@type": "Product", "name": "Juan López Selección No.2",
                  "offers": {"@type": "Offer", "name": "Box of 25", "price": "150"}}),
        "<section class='related-products'><span>Sold out</span></section>",
    )  # fmt: skip
    assert [o.available for o in read_product(html).offers] == [None]


# --- 6. the shop's brand field carries the line ---------------------------------------------------


@pytest.mark.django_db
def test_brand_field_with_a_line_is_split_against_brands_and_aliases(habanos):
    Brand.objects.filter(name="Romeo y Julieta").update(aliases=["RyJ"])
    montecristo = Brand.objects.get(name="Montecristo")
    assert brand_and_line("Montecristo Open", "Eagle") == (montecristo, "Open")
    assert brand_and_line("RyJ Wide Churchills", "") == (
        Brand.objects.get(name="Romeo y Julieta"),
        "Wide Churchills",
    )
    assert brand_and_line("Montecristo", "No. 4") == (montecristo, "")


@pytest.mark.django_db
def test_a_new_cigar_goes_into_the_line_not_a_new_brand(habanos):
    html = page(
        json_ld({"@type": "Product", "name": "Montecristo Open Wave Cigar",
                  "brand": {"@type": "Brand", "name": "Montecristo Open"},
                  "offers": {"@type": "Offer", "name": "Box of 20", "price": "210"}}),
    )  # fmt: skip
    merchant = services.merchant_create(name="Line Shop", base_url="https://shop.test/")
    outcome = services.merchant_product_upsert(
        merchant=merchant, url=URL, extracted=read_product(html), content_hash="x"
    )
    cigar = outcome.product.cigar
    assert (cigar.line.brand.name, cigar.line.name, cigar.vitola_name) == (
        "Montecristo",
        "Open",
        "Wave",
    )
    assert (outcome.product.brand, outcome.product.line) == ("Montecristo", "Open")
    assert not Brand.objects.filter(name__icontains="Open").exists()


# --- 7. samplers, gift sets and accessories -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Davidoff Winston Churchill Sampler", "sampler"),
        ("Habanos Gift Set Robustos", "sampler"),
        ("Partagás Probierset 5 Zigarren", "sampler"),
        ("Coffret Découverte Cohiba", "sampler"),
        ("Surtido Habanos Robustos", "sampler"),
        ("Xikar Enigma Lighter", "accessory"),
        ("Colibri V-Cut Cutter", "accessory"),
        ("Aschenbecher Keramik", "accessory"),
        ("Cohiba Siglo VI Tubos", "cigar"),
        ("Punch Punch", "cigar"),
        ("Punch Double Coronas", "cigar"),
        ("Xikar Cigar Punch", "accessory"),
        ("Cohiba Robustos Coffret de 25", "cigar"),
        ("Montecristo No.2 Humidor of 50", "cigar"),
    ],
)
def test_product_kinds(name, kind):
    assert product_kind(name)[0] == kind


@pytest.mark.django_db
def test_a_sampler_is_stored_without_a_cigar(habanos):
    html = page(
        json_ld({"@type": "Product", "name": "Cohiba Tasting Set - 3 Cigars",
                  "brand": "Cohiba", "description": "Siglo VI 52 x 150, Robustos 50 x 124.",
                  "offers": {"@type": "Offer", "price": "99", "priceCurrency": "EUR"}}),
    )  # fmt: skip
    product = read_product(html)
    assert product.kind == "sampler"
    assert (product.length_mm, product.ring_gauge) == (None, None)
    merchant = services.merchant_create(name="Sampler Shop", base_url="https://shop.test/")
    cigars_before = Cigar.objects.count()
    outcome = services.merchant_product_upsert(
        merchant=merchant, url=URL, extracted=product, content_hash="x"
    )
    stored = MerchantProduct.objects.get(pk=outcome.product.pk)
    assert (stored.kind, stored.cigar, stored.resolution) == ("sampler", None, "not_a_cigar")
    assert Cigar.objects.count() == cigars_before
    assert list(stored.offers.values_list("pack_size", "price")) == [(3, Decimal("99.00"))]
    assert not CigarPackage.objects.filter(merchant=merchant.name).exists()


# --- 8. title noise ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "clean"),
    [
        (
            "Romeo y Julieta Wide Churchills - Box, Pack and Single",
            "Romeo y Julieta Wide Churchills",
        ),
        ("Trinidad Fundadores Cigar", "Trinidad Fundadores"),
        ("Cohiba Siglo II Zigarre", "Cohiba Siglo II"),
        ("H. Upmann Magnum 50 Cigar", "H. Upmann Magnum 50"),
        ("Bolívar Belicosos Finos 25er Kiste", "Bolívar Belicosos Finos"),
        ("Hoyo de Monterrey Epicure No.2 Cigar Review", "Hoyo de Monterrey Epicure No.2"),
        ("Partagás Serie P No.2 Cigars (Box of 25)", "Partagás Serie P No.2"),
        ("Sigaro Toscano Classico", "Toscano Classico"),
    ],
)
def test_title_noise_is_stripped(title, clean):
    assert clean_product_name(title) == clean


# --- 9. no structured data -----------------------------------------------------------------------

NO_DATA = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta property="og:image" content="/photos/fonseca-kdt.jpg"></head><body>
<div id="product"><h1 class="title">Fonseca KDT Cadetes</h1>
<span class="amount">€ 8,90</span>
<table><tr><td>Ring</td><td>36</td></tr><tr><td>Length</td><td>115 mm</td></tr></table>
<img class="main-photo" src="/photos/fonseca-kdt.jpg"></div></body></html>"""


def test_a_page_without_structured_data_still_gives_a_product():
    product = read_product(NO_DATA)
    assert product.name == "Fonseca KDT Cadetes"
    assert (product.length_mm, product.ring_gauge) == (Decimal("115.0"), 36)
    assert product.images == ["https://shop.test/photos/fonseca-kdt.jpg"]
    assert product.sources == ["page"]


@pytest.mark.django_db
def test_scrape_url_suggests_selectors_and_stores_only_with_store(habanos_all, maison_server):
    maison_server.serve("/fonseca.html", NO_DATA.encode(), "text/html; charset=utf-8")
    merchant = services.merchant_create(
        name="Plain Shop", base_url=maison_server.url("/"), crawl_delay_seconds=Decimal("0")
    )
    out = StringIO()
    call_command("scrape_url", maison_server.url("/fonseca.html"), stdout=out)
    printed = out.getvalue()
    assert "Candidate selectors" in printed
    assert "#product h1.title" in printed
    assert "#product span.amount" in printed
    assert "€ 8,90" in printed
    assert "Merchants > Plain Shop > Selectors" in printed
    assert not MerchantProduct.objects.exists()
    call_command("scrape_url", maison_server.url("/fonseca.html"), "--store", stdout=StringIO())
    stored = MerchantProduct.objects.get(merchant=merchant)
    assert stored.name == "Fonseca KDT Cadetes"


# --- shapes around the patterns ---------------------------------------------------------------


def test_hidden_messages_do_not_count_but_a_sold_out_button_does():
    data = json_ld({"@type": "Product", "name": "Por Larrañaga Picadores",
                     "offers": {"@type": "Offer", "name": "Box of 25", "price": "99"}})  # fmt: skip
    hidden = "<p class='alert' style='display: none'>Out of stock</p>"
    assert [o.available for o in read_product(page(data, hidden)).offers] == [None]
    button = "<form><input type='submit' value='Sold Out' disabled></form>"
    assert [o.available for o in read_product(page(data, button)).offers] == [False]


def test_og_availability_short_values():
    data = json_ld({"@type": "Product", "name": "Saint Luis Rey Regios",
                     "offers": {"@type": "Offer", "name": "Box of 25", "price": "99"}})  # fmt: skip
    oos = page('<meta property="og:availability" content="oos">' + data)
    assert [o.available for o in read_product(oos).offers] == [False]


@pytest.mark.django_db
def test_shop_words_after_a_brand_are_not_a_line(habanos):
    assert brand_and_line("Cohiba Cigars", "Robustos")[1] == ""
    assert brand_and_line("Partagás Habanos", "Serie D No.4")[1] == ""


@pytest.mark.parametrize(
    ("title", "clean"),
    [
        ("Cigar Review: Cohiba Siglo IV", "Cohiba Siglo IV"),
        ("Review of the Bolívar Royal Coronas", "Bolívar Royal Coronas"),
        ("Cohiba Robustos (Single)", "Cohiba Robustos"),
        ("Montecristo No.4 - Einzeln", "Montecristo No.4"),
    ],
)
def test_more_title_noise(title, clean):
    assert clean_product_name(title) == clean


@pytest.mark.parametrize(
    ("row", "size"),
    [
        ("<tr><th>Inhalt</th><td>25 Stück</td></tr>", 25),
        ("<tr><th>Contenu</th><td>10 cigares</td></tr>", 10),
        ("<tr><th>Pack Size</th><td>Single, Pack of 5, Box of 25</td></tr>", None),
        ("<tr><th>Quantity</th><td>1</td></tr>", None),
    ],
)
def test_a_content_row_gives_the_pack_of_a_lone_price(row, size):
    html = page(
        json_ld({"@type": "Product", "name": "Sancho Panza Belicosos",
                  "offers": {"@type": "Offer", "price": "180", "priceCurrency": "EUR"}}),
        f"<table>{row}</table>",
    )  # fmt: skip
    pack = read_product(html).offers[0].pack
    assert (pack.pack_size if pack else None) == size


def test_a_lone_shopify_variant_takes_the_pack_of_the_title():
    variant = {"id": 2, "title": "Default Title", "price": 52000, "sku": "S6"}
    product_json = {"id": 1, "title": "Cohiba Siglo VI (Box of 10)", "handle": "siglo-vi",
                    "vendor": "Cohiba", "variants": [variant]}  # fmt: skip
    html = page(
        json_ld({"@type": "Product", "name": "Cohiba Siglo VI (Box of 10)",
                  "offers": {"@type": "Offer", "price": "520.00", "priceCurrency": "EUR",
                             "sku": "S6"}})
        + f'<script type="application/json" id="ProductJson-main">{json.dumps(product_json)}'
        "</script>",
    )  # fmt: skip
    assert packs(read_product(html)) == [(10, "520.00")]


def test_a_ring_and_length_row_gives_both():
    html = page(
        json_ld({"@type": "Product", "name": "El Rey del Mundo Choix Suprême"}),
        "<table><tr><th>Ring x Length</th><td>48 x 127 mm</td></tr></table>",
    )
    product = read_product(html)
    assert (product.length_mm, product.ring_gauge) == (Decimal("127.0"), 48)
