"""One test per pattern seen on real shop pages (issue #22), on pages of our own."""

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
from merchants.extraction.product import extract_page
from merchants.models import MerchantOffer, MerchantProduct
from merchants.resolve import brand_and_line

URL = "https://shop.test/p/item"


def _page(head: str = "", body: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    )


def _json_ld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def _product(html: str, **kwargs):
    products = extract_page(html, url=URL, **kwargs).products
    assert products, "no product read"
    return products[0]


def _packs(product) -> list[tuple[int | None, str | None]]:
    return sorted(
        ((o.pack.pack_size if o.pack else None), (str(o.price.amount) if o.price else None))
        for o in product.offers
    )


# --- 1. several offers, one kept ---------------------------------------------------------------


def test_nameless_offers_with_eligible_quantity_are_all_kept():
    offers = [
        {
            "@type": "Offer",
            "price": price,
            "priceCurrency": "EUR",
            "eligibleQuantity": {"@type": "QuantitativeValue", "value": quantity},
        }
        for quantity, price in ((1, "12.00"), (5, "58.00"), (10, "112.00"), (25, "270.00"))
    ]
    html = _page(_json_ld({"@type": "Product", "name": "Punch Punch", "offers": offers}))
    assert _packs(_product(html)) == [(1, "12.00"), (5, "58.00"), (10, "112.00"), (25, "270.00")]


def test_quantities_only_in_the_price_specifications():
    offer = {
        "@type": "Offer",
        "priceCurrency": "EUR",
        "priceSpecification": [
            {"@type": "UnitPriceSpecification", "price": 9.5, "eligibleQuantity": {"value": 1}},
            {"@type": "UnitPriceSpecification", "price": 220, "eligibleQuantity": {"value": 25}},
        ],
    }
    html = _page(_json_ld({"@type": "Product", "name": "Trinidad Reyes", "offers": offer}))
    assert _packs(_product(html)) == [(1, "9.50"), (25, "220.00")]


def test_item_offered_names_the_pack():
    offers = {
        "@type": "AggregateOffer",
        "lowPrice": "15",
        "offers": [
            {
                "@type": "Offer",
                "price": "15",
                "itemOffered": {"@type": "Product", "name": "Single"},
            },
            {"@type": "Offer", "price": "140", "itemOffered": {"name": "Box of 10", "sku": "B10"}},
        ],
    }
    html = _page(_json_ld({"@type": "Product", "name": "Cohiba Siglo II", "offers": offers}))
    product = _product(html, currency="CHF")
    assert _packs(product) == [(1, "15.00"), (10, "140.00")]
    assert {o.sku for o in product.offers} == {"", "B10"}


@pytest.mark.parametrize(
    ("labels", "sizes"),
    [
        (
            ["Einzeln \u2013 14,90 €", "10er Kiste \u2013 139,00 €", "Kiste à 40 \u2013 520,00 €"],
            [1, 10, 40],
        ),
        (["single", "5-pack", "Box of 20"], [1, 5, 20]),
        (["Pack of 5 ($42.00)", "Box of 25 ($199.00)"], [5, 25]),
        (["Caja de 10", "Caja de 25"], [10, 25]),
        (["Scatola da 10", "Scatola da 20"], [10, 20]),
    ],
)
def test_quantities_only_in_visible_option_labels(labels, sizes):
    options = "".join(f"<option value='{i}'>{label}</option>" for i, label in enumerate(labels))
    html = _page(
        _json_ld(
            {"@type": "Product", "name": "Ramón Allones Specially Selected",
             "offers": {"@type": "Offer", "price": "1.00", "priceCurrency": "EUR"}}
        ),
        f"<h1>Ramón Allones Specially Selected</h1><select name='variant'>{options}</select>",
    )  # fmt: skip
    product = _product(html)
    assert [o.pack.pack_size for o in product.offers if o.pack] == sizes
    assert all(o.source == "visible" for o in product.offers if o.pack)


def test_a_colour_select_is_not_a_pack_list():
    html = _page(
        _json_ld({"@type": "Product", "name": "Humidor Key", "offers": {"price": "5"}}),
        "<select name='colour'><option>Black</option><option>Red 2</option></select>",
    )
    assert [o.pack for o in _product(html).offers] == [None]


# --- 2. a price with no pack is never a single ---------------------------------------------------


@pytest.mark.django_db
def test_a_price_without_a_pack_is_kept_unknown_and_prices_no_package(habanos):
    html = _page(
        _json_ld(
            {"@type": "Product", "name": "Cohiba Siglo VI", "brand": "Cohiba",
             "offers": {"@type": "Offer", "price": "389.00", "priceCurrency": "EUR"}}
        )
    )  # fmt: skip
    product = _product(html)
    assert product.offers[0].pack is None
    merchant = services.merchant_create(name="No Pack Shop", base_url="https://shop.test/")
    outcome = services.merchant_product_upsert(
        merchant=merchant, url=URL, extracted=product, content_hash="x"
    )
    assert outcome.unknown_packs == 1
    offer = MerchantOffer.objects.get(product=outcome.product)
    assert (offer.pack_size, offer.price, offer.package) == (None, Decimal("389.00"), None)
    assert offer.label == "pack not stated on the page"
    assert not CigarPackage.objects.filter(merchant=merchant.name).exists()


# --- 3. sizes are never packs; fractions kept ---------------------------------------------------


def test_a_size_in_the_title_is_a_size_not_a_pack():
    html = _page(
        _json_ld(
            {"@type": "Product", "name": "Oliva Serie V Double Toro 60 X 6", "brand": "Oliva",
             "offers": {"@type": "Offer", "price": "14.50", "priceCurrency": "USD"}}
        )
    )  # fmt: skip
    product = _product(html)
    assert product.offers[0].pack is None
    assert (product.length_mm, product.ring_gauge) == (Decimal("152.4"), 60)
    assert product.clean_name == "Oliva Serie V Double Toro"


def test_fractions_are_kept_and_stay_out_of_the_name():
    html = _page(_json_ld({"@type": "Product", "name": "Padrón 1926 No. 2 52 X 5½"}))
    product = _product(html)
    assert product.length_mm == Decimal("139.7")
    assert product.ring_gauge == 52
    assert product.clean_name == "Padrón 1926 No. 2"


# --- 4. spec tables -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "length", "ring"),
    [
        ("<tr><th>Length</th><td>6.12 inches / 15.5 cm</td></tr><tr><th>Ring</th><td>52</td></tr>",
         "155.4", 52),
        ("<tr><td>Ringmaß</td><td>54</td></tr><tr><td>Länge (mm)</td><td>140</td></tr>",
         "140.0", 54),
        ("<tr><td>Longueur</td><td>155 mm</td></tr><tr><td>Cepo</td><td>52</td></tr>", "155.0", 52),
        ("<tr><td>Longitud</td><td>17,8 cm</td></tr><tr><td>Cepo</td><td>47</td></tr>",
         "178.0", 47),
        ("<tr><td>Lunghezza</td><td>142 mm</td></tr><tr><td>Diametro</td><td>42</td></tr>",
         "142.0", 42),
    ],
)  # fmt: skip
def test_spec_tables_in_five_languages(rows, length, ring):
    html = _page(
        _json_ld({"@type": "Product", "name": "Vegas Robaina Famosos"}), f"<table>{rows}</table>"
    )
    product = _product(html)
    assert (product.length_mm, product.ring_gauge) == (Decimal(length), ring)


# --- 5. fallbacks: og:image, og:availability, visible stock words ------------------------------


def test_og_image_and_og_availability_are_used():
    html = _page(
        '<meta property="og:image" content="/img/share.jpg">'
        '<meta property="og:availability" content="out of stock">'
        + _json_ld({"@type": "Product", "name": "Quai d'Orsay No.50",
                    "offers": {"@type": "Offer", "name": "Box of 10", "price": "160"}}),
    )  # fmt: skip
    product = _product(html)
    assert product.images == ["https://shop.test/img/share.jpg"]
    assert [o.available for o in product.offers] == [False]


@pytest.mark.parametrize("words", ["OUT OF STOCK", "Ausverkauft", "Épuisé", "Agotado", "Esaurito"])
def test_visible_out_of_stock_words(words):
    html = _page(
        _json_ld({"@type": "Product", "name": "San Cristóbal El Príncipe",
                  "offers": {"@type": "Offer", "name": "Box of 25", "price": "150"}}),
        f"<h1>San Cristóbal El Príncipe</h1><p class='availability'>{words}</p>",
    )  # fmt: skip
    assert [o.available for o in _product(html).offers] == [False]


def test_stock_words_of_related_products_do_not_count():
    html = _page(
        _json_ld({"@type": "Product", "name": "Juan López Selección No.2",
                  "offers": {"@type": "Offer", "name": "Box of 25", "price": "150"}}),
        "<section class='related-products'><span>Sold out</span></section>",
    )  # fmt: skip
    assert [o.available for o in _product(html).offers] == [None]


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
    html = _page(
        _json_ld({"@type": "Product", "name": "Montecristo Open Wave Cigar",
                  "brand": {"@type": "Brand", "name": "Montecristo Open"},
                  "offers": {"@type": "Offer", "name": "Box of 20", "price": "210"}}),
    )  # fmt: skip
    merchant = services.merchant_create(name="Line Shop", base_url="https://shop.test/")
    outcome = services.merchant_product_upsert(
        merchant=merchant, url=URL, extracted=_product(html), content_hash="x"
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
    html = _page(
        _json_ld({"@type": "Product", "name": "Cohiba Tasting Set - 3 Cigars",
                  "brand": "Cohiba", "description": "Siglo VI 52 x 150, Robustos 50 x 124.",
                  "offers": {"@type": "Offer", "price": "99", "priceCurrency": "EUR"}}),
    )  # fmt: skip
    product = _product(html)
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
    product = _product(NO_DATA)
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


# --- shapes around the patterns -----------------------------------------------------------------


def test_price_tiers_are_not_packs():
    # "From 10 cigars 8.90 each": quantities whose prices fall are tiers of a unit price.
    offers = [
        {"@type": "Offer", "price": price, "priceCurrency": "EUR",
         "eligibleQuantity": {"@type": "QuantitativeValue", "minValue": q, "maxValue": q}}
        for q, price in ((1, "9.90"), (10, "8.90"), (25, "8.50"))
    ]  # fmt: skip
    html = _page(_json_ld({"@type": "Product", "name": "Fonseca No.1", "offers": offers}))
    assert {o.pack for o in _product(html).offers} == {None}


def test_offers_referenced_by_id_in_a_graph():
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Product", "@id": "#p", "name": "Cuaba Divinos",
             "offers": [{"@id": "#o1"}, {"@id": "#o2"}]},
            {"@type": "Offer", "@id": "#o1", "name": "Box of 10", "price": "95"},
            {"@type": "Offer", "@id": "#o2", "name": "Box of 25", "price": "230"},
        ],
    }  # fmt: skip
    assert _packs(_product(_page(_json_ld(graph)))) == [(10, "95.00"), (25, "230.00")]


def test_the_product_the_heading_names_is_the_main_one():
    related = {
        "@type": "ItemList",
        "itemListElement": [
            {"@type": "Product", "name": "Cohiba Siglo I",
             "offers": {"@type": "Offer", "name": "Box of 25", "price": "200"}},
        ],
    }  # fmt: skip
    main = {"@type": "Product", "name": "Cohiba Siglo V",
            "offers": {"@type": "Offer", "name": "Box of 25", "price": "650"}}  # fmt: skip
    html = _page(_json_ld(related) + _json_ld(main), "<h1>Cohiba Siglo V</h1>")
    product = _product(html)
    assert product.name == "Cohiba Siglo V"
    assert _packs(product) == [(25, "650.00")]


def test_hidden_messages_do_not_count_but_a_sold_out_button_does():
    data = _json_ld({"@type": "Product", "name": "Por Larrañaga Picadores",
                     "offers": {"@type": "Offer", "name": "Box of 25", "price": "99"}})  # fmt: skip
    hidden = "<p class='alert' style='display: none'>Out of stock</p>"
    assert [o.available for o in _product(_page(data, hidden)).offers] == [None]
    button = "<form><input type='submit' value='Sold Out' disabled></form>"
    assert [o.available for o in _product(_page(data, button)).offers] == [False]


def test_og_availability_short_values():
    data = _json_ld({"@type": "Product", "name": "Saint Luis Rey Regios",
                     "offers": {"@type": "Offer", "name": "Box of 25", "price": "99"}})  # fmt: skip
    oos = _page('<meta property="og:availability" content="oos">' + data)
    assert [o.available for o in _product(oos).offers] == [False]


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
    html = _page(
        _json_ld({"@type": "Product", "name": "Sancho Panza Belicosos",
                  "offers": {"@type": "Offer", "price": "180", "priceCurrency": "EUR"}}),
        f"<table>{row}</table>",
    )  # fmt: skip
    pack = _product(html).offers[0].pack
    assert (pack.pack_size if pack else None) == size


def test_a_lone_shopify_variant_takes_the_pack_of_the_title():
    variant = {"id": 2, "title": "Default Title", "price": 52000, "sku": "S6"}
    product_json = {"id": 1, "title": "Cohiba Siglo VI (Box of 10)", "handle": "siglo-vi",
                    "vendor": "Cohiba", "variants": [variant]}  # fmt: skip
    html = _page(
        _json_ld({"@type": "Product", "name": "Cohiba Siglo VI (Box of 10)",
                  "offers": {"@type": "Offer", "price": "520.00", "priceCurrency": "EUR",
                             "sku": "S6"}})
        + f'<script type="application/json" id="ProductJson-main">{json.dumps(product_json)}'
        "</script>",
    )  # fmt: skip
    assert _packs(_product(html)) == [(10, "520.00")]


def test_a_ring_and_length_row_gives_both():
    html = _page(
        _json_ld({"@type": "Product", "name": "El Rey del Mundo Choix Suprême"}),
        "<table><tr><th>Ring x Length</th><td>48 x 127 mm</td></tr></table>",
    )
    product = _product(html)
    assert (product.length_mm, product.ring_gauge) == (Decimal("127.0"), 48)


def test_variant_rows_of_a_table_give_packs_and_prices():
    rows = """<table class="varianten">
      <tr><td>Einzeln</td><td><span class="preis">12,50 €</span></td><td>(12,50 € / Stück)</td></tr>
      <tr><td>5er Etui</td><td><del class="old-price">65,00 €</del> <span class="price">60,00 €</span></td></tr>
      <tr><td>25er Kiste</td><td>280,00 €</td><td><span class="stock">Ausverkauft</span></td></tr>
    </table>"""  # noqa: E501
    html = _page(
        _json_ld({"@type": "Product", "name": "Cohiba Medio Siglo",
                  "offers": {"@type": "Offer", "price": "12.50", "priceCurrency": "EUR"}}),
        f"<h1>Cohiba Medio Siglo</h1>{rows}",
    )  # fmt: skip
    product = _product(html)
    assert _packs(product) == [(1, "12.50"), (5, "60.00"), (25, "280.00")]
    assert [o.available for o in product.offers if o.pack.pack_size == 25] == [False]


def test_a_lesser_source_never_overrides_a_structured_price():
    offer = {"@type": "Offer", "name": "Box of 10", "price": "52.00"}
    data = _json_ld({"@type": "Product", "name": "Vegueros Mañanitas", "offers": offer})
    options = "<select name='v'><option>Box of 10 - €99.00</option><option>Single</option></select>"
    product = _product(_page(data, options))
    assert (10, "52.00") in _packs(product)
