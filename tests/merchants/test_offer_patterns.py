"""Issue #22's patterns 1-4 on pages of our own: every offer of a page, a price without a
pack, sizes that are not packs, spec tables; and the offer shapes around them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalogue.models import CigarPackage
from merchants import services
from merchants.models import MerchantOffer
from tests.merchants.pages import URL, json_ld, packs, page, read_product

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
    html = page(json_ld({"@type": "Product", "name": "Punch Punch", "offers": offers}))
    assert packs(read_product(html)) == [(1, "12.00"), (5, "58.00"), (10, "112.00"), (25, "270.00")]


def test_quantities_only_in_the_price_specifications():
    offer = {
        "@type": "Offer",
        "priceCurrency": "EUR",
        "priceSpecification": [
            {"@type": "UnitPriceSpecification", "price": 9.5, "eligibleQuantity": {"value": 1}},
            {"@type": "UnitPriceSpecification", "price": 220, "eligibleQuantity": {"value": 25}},
        ],
    }
    html = page(json_ld({"@type": "Product", "name": "Trinidad Reyes", "offers": offer}))
    assert packs(read_product(html)) == [(1, "9.50"), (25, "220.00")]


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
    html = page(json_ld({"@type": "Product", "name": "Cohiba Siglo II", "offers": offers}))
    product = read_product(html, currency="CHF")
    assert packs(product) == [(1, "15.00"), (10, "140.00")]
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
    html = page(
        json_ld(
            {"@type": "Product", "name": "Ramón Allones Specially Selected",
             "offers": {"@type": "Offer", "price": "1.00", "priceCurrency": "EUR"}}
        ),
        f"<h1>Ramón Allones Specially Selected</h1><select name='variant'>{options}</select>",
    )  # fmt: skip
    product = read_product(html)
    assert [o.pack.pack_size for o in product.offers if o.pack] == sizes
    assert all(o.source == "visible" for o in product.offers if o.pack)


def test_a_colour_select_is_not_a_pack_list():
    html = page(
        json_ld({"@type": "Product", "name": "Humidor Key", "offers": {"price": "5"}}),
        "<select name='colour'><option>Black</option><option>Red 2</option></select>",
    )
    assert [o.pack for o in read_product(html).offers] == [None]


# --- 2. a price with no pack is never a single ---------------------------------------------------


@pytest.mark.django_db
def test_a_price_without_a_pack_is_kept_unknown_and_prices_no_package(habanos):
    html = page(
        json_ld(
            {"@type": "Product", "name": "Cohiba Siglo VI", "brand": "Cohiba",
             "offers": {"@type": "Offer", "price": "389.00", "priceCurrency": "EUR"}}
        )
    )  # fmt: skip
    product = read_product(html)
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
    html = page(
        json_ld(
            {"@type": "Product", "name": "Oliva Serie V Double Toro 60 X 6", "brand": "Oliva",
             "offers": {"@type": "Offer", "price": "14.50", "priceCurrency": "USD"}}
        )
    )  # fmt: skip
    product = read_product(html)
    assert product.offers[0].pack is None
    assert (product.length_mm, product.ring_gauge) == (Decimal("152.4"), 60)
    assert product.clean_name == "Oliva Serie V Double Toro"


def test_fractions_are_kept_and_stay_out_of_the_name():
    html = page(json_ld({"@type": "Product", "name": "Padrón 1926 No. 2 52 X 5½"}))
    product = read_product(html)
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
    html = page(
        json_ld({"@type": "Product", "name": "Vegas Robaina Famosos"}), f"<table>{rows}</table>"
    )
    product = read_product(html)
    assert (product.length_mm, product.ring_gauge) == (Decimal(length), ring)


# --- shapes around the patterns ---------------------------------------------------------------


def test_price_tiers_are_notpacks():
    # "From 10 cigars 8.90 each": quantities whose prices fall are tiers of a unit price.
    offers = [
        {"@type": "Offer", "price": price, "priceCurrency": "EUR",
         "eligibleQuantity": {"@type": "QuantitativeValue", "minValue": q, "maxValue": q}}
        for q, price in ((1, "9.90"), (10, "8.90"), (25, "8.50"))
    ]  # fmt: skip
    html = page(json_ld({"@type": "Product", "name": "Fonseca No.1", "offers": offers}))
    assert {o.pack for o in read_product(html).offers} == {None}


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
    assert packs(read_product(page(json_ld(graph)))) == [(10, "95.00"), (25, "230.00")]


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
    html = page(json_ld(related) + json_ld(main), "<h1>Cohiba Siglo V</h1>")
    product = read_product(html)
    assert product.name == "Cohiba Siglo V"
    assert packs(product) == [(25, "650.00")]


def test_variant_rows_of_a_table_give_packs_and_prices():
    rows = """<table class="varianten">
      <tr><td>Einzeln</td><td><span class="preis">12,50 €</span></td><td>(12,50 € / Stück)</td></tr>
      <tr><td>5er Etui</td><td><del class="old-price">65,00 €</del> <span class="price">60,00 €</span></td></tr>
      <tr><td>25er Kiste</td><td>280,00 €</td><td><span class="stock">Ausverkauft</span></td></tr>
    </table>"""  # noqa: E501
    html = page(
        json_ld({"@type": "Product", "name": "Cohiba Medio Siglo",
                  "offers": {"@type": "Offer", "price": "12.50", "priceCurrency": "EUR"}}),
        f"<h1>Cohiba Medio Siglo</h1>{rows}",
    )  # fmt: skip
    product = read_product(html)
    assert packs(product) == [(1, "12.50"), (5, "60.00"), (25, "280.00")]
    assert [o.available for o in product.offers if o.pack.pack_size == 25] == [False]


def test_a_lesser_source_never_overrides_a_structured_price():
    offer = {"@type": "Offer", "name": "Box of 10", "price": "52.00"}
    data = json_ld({"@type": "Product", "name": "Vegueros Mañanitas", "offers": offer})
    options = "<select name='v'><option>Box of 10 - €99.00</option><option>Single</option></select>"
    product = read_product(page(data, options))
    assert (10, "52.00") in packs(product)
