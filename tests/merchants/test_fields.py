"""Free-text field parsers: sizes, prices, packs, availability, product names."""

from __future__ import annotations

from decimal import Decimal

import pytest

from merchants.extraction.fields import (
    Money,
    Size,
    clean_product_name,
    parse_availability,
    parse_money,
    parse_pack,
    parse_size,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50 x 124 mm", Size(Decimal("124.0"), 50)),
        ("124 x 50", Size(Decimal("124.0"), 50)),
        ("5 x 50", Size(Decimal("127.0"), 50)),
        ('6 1/8" x 52', Size(Decimal("155.6"), 52)),
        ("Corona Gorda, 5 5/8 x 46.", Size(Decimal("142.9"), 46)),
        ("15,6 cm \u00d7 52", Size(Decimal("156.0"), 52)),
        ("Longueur : 124 mm, Cepo : 50", Size(Decimal("124.0"), 50)),
        ("Ring gauge: 52 Length: 6.5 in", Size(Decimal("165.1"), 52)),
        ("Box of 25", Size(None, None)),
        ("", Size(None, None)),
    ],
)
def test_parse_size(text, expected):
    assert parse_size(text) == expected


def test_parse_size_refuses_implausible_pairs():
    # Neither number of "2 x 3" is a length or a ring gauge; "700 x 50" is too long.
    assert parse_size("2 x 3") == Size(None, None)
    assert parse_size("700 x 50 mm") == Size(None, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1 234,50 €", Money(Decimal("1234.50"), "EUR")),
        ("1.234,50 €", Money(Decimal("1234.50"), "EUR")),
        ("12,50 €", Money(Decimal("12.50"), "EUR")),
        ("€12.50", Money(Decimal("12.50"), "EUR")),
        ("CHF 15.00", Money(Decimal("15.00"), "CHF")),
        ("$1,234.50", Money(Decimal("1234.50"), "USD")),
        ("812.50", Money(Decimal("812.50"), "GBP")),  # a machine value takes the hint
        (387.5, Money(Decimal("387.50"), "GBP")),
    ],
)
def test_parse_money(value, expected):
    assert parse_money(value, currency_hint="GBP") == expected


@pytest.mark.parametrize("value", [None, "", "Prix sur demande", True])
def test_parse_money_without_a_price(value):
    assert parse_money(value) is None


@pytest.mark.parametrize(
    ("label", "size", "packaging"),
    [
        ("Box of 25", 25, "box"),
        ("Boîte de 10", 10, "box"),
        ("Étui de 3", 3, "pack"),
        ("Étui de 3 tubos", 3, "tube"),
        ("Coffret de 20", 20, "box"),
        ("Coffret 25 cigares", 25, "box"),
        ("À l'unité", 1, "single"),
        ("Single cigar", 1, "single"),
        ("x25", 25, "box"),
        ("Metal tin of 3", 3, "tin"),
        ("Cardboard Pack of 3 cigars in aluminium tubes", 3, "tube"),
    ],
)
def test_parse_pack(label, size, packaging):
    pack = parse_pack(label)
    assert pack is not None
    assert (pack.pack_size, pack.packaging, pack.label) == (size, packaging, label)


@pytest.mark.parametrize("label", ["", "Box", "Siglo VI", "Box of 99999"])
def test_parse_pack_without_a_size(label):
    assert parse_pack(label) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://schema.org/InStock", True),
        ("http://schema.org/OutOfStock", False),
        ("Discontinued", False),
        ("En stock", True),
        ("Rupture de stock", False),
        ("Épuisé", False),
        (None, None),
    ],
)
def test_parse_availability(value, expected):
    assert parse_availability(value) is expected


@pytest.mark.parametrize(
    ("title", "clean"),
    [
        ("Cohiba Robustos - Boîte de 25", "Cohiba Robustos"),
        ("Cohiba Siglo VI (Box of 10)", "Cohiba Siglo VI"),
        ("Montecristo No.2 - 156 x 52", "Montecristo No.2"),
        ("Partagás Serie D No.4 Étui de 3", "Partagás Serie D No.4"),
        ("Cohiba Behike BHK 52, 10 cigares", "Cohiba Behike BHK 52"),
        ("Cohiba Talismán Edición Limitada 2017", "Cohiba Talismán Edición Limitada 2017"),
    ],
)
def test_clean_product_name_keeps_the_names_own_numbers(title, clean):
    assert clean_product_name(title) == clean
