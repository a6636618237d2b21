"""The shared size and pack grammar (``cigarspace.text``) as shops write it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cigarspace.text.dimensions import (
    Size,
    mask_sizes,
    normalise_fractions,
    parse_size,
    size_from_spec,
    spec_field,
)
from cigarspace.text.quantities import packaging_word, parse_pack_phrase


@pytest.mark.parametrize(
    ("text", "length", "ring"),
    [
        ("56 X 5¼", "133.4", 56),
        ("5¼ x 56", "133.4", 56),
        ("5 1/4 x 54", "133.4", 54),
        ("5-1/4 x 54", "133.4", 54),
        ("50 x 7", "177.8", 50),
        ("7 x 50", "177.8", 50),
        ("6½″ \u00d7 52", "165.1", 52),
        ("Toro 6 x 52 Box-Pressed", "152.4", 52),
        ("52 x 156 mm", "156.0", 52),
        ("15,6 cm x 52", "156.0", 52),
        ("Gordo 60 X 6", "152.4", 60),
    ],
)
def test_ring_and_length_in_both_orders_with_fractions(text, length, ring):
    assert parse_size(text) == Size(Decimal(length), ring)


def test_unicode_fractions_are_kept_and_leave_nothing_behind():
    assert normalise_fractions("Robusto 5¼") == "Robusto 5 1/4"
    masked = mask_sizes("Double Robusto 56 X 5¼")
    assert "¼" not in masked
    assert "56" not in masked


@pytest.mark.parametrize(
    ("label", "value", "length", "ring"),
    [
        ("Length", "4.02 inches / 10.21 cm", "102.1", None),
        ("Ring", "40", None, 40),
        ("Ringmaß", "48", None, 48),
        ("Länge (mm)", "158", "158.0", None),
        ("Länge", "15,8 cm", "158.0", None),
        ("Durchmesser", "19,05 mm", None, 48),
        ("Longueur", "155 mm", "155.0", None),
        ("Cepo", "52", None, 52),
        ("Longitud", '6 1/8"', "155.6", None),
        ("Calibre", "54", None, 54),
        ("Lunghezza", "135 mm", "135.0", None),
        ("Diametro", "52", None, 52),
        ("Size", "5 1/2 x 50", "139.7", 50),
        ("Format", "Robusto", None, None),
    ],
)
def test_spec_rows_in_five_languages(label, value, length, ring):
    size = size_from_spec(label, value)
    assert size.length_mm == (Decimal(length) if length else None)
    assert size.ring_gauge == ring


@pytest.mark.parametrize(
    ("text", "length", "ring"),
    [
        ("Length 4.02 inches / 10.21 cm … Ring 40", "102.1", 40),
        ("Ringmaß 48, Länge (mm) 158", "158.0", 48),
        ("Longueur 155 mm, Cepo 52", "155.0", 52),
        ("Cepo: 50 · Longitud: 124 mm", "124.0", 50),
    ],
)
def test_spec_lines_in_running_text(text, length, ring):
    assert parse_size(text) == Size(Decimal(length), ring)


def test_spec_labels_are_recognised_by_field():
    assert spec_field("Ring Gauge") == "ring_gauge"
    assert spec_field("Länge (mm):") == "length"
    assert spec_field("Größe") == "dimensions"
    assert spec_field("Deckblatt") is None


@pytest.mark.parametrize(
    ("label", "size", "packaging"),
    [
        ("Einzeln", 1, "single"),
        ("single", 1, "single"),
        ("1 Stück", 1, "single"),
        ("25er", 25, "box"),
        ("25er Kiste", 25, "box"),
        ("Kiste à 40", 40, "box"),
        ("Box of 20", 20, "box"),
        ("Pack of 5", 5, "pack"),
        ("5-pack", 5, "pack"),
        ("5er Packung", 5, "pack"),
        ("Caja de 10", 10, "box"),
        ("Scatola da 10", 10, "box"),
        ("Astuccio da 3", 3, "pack"),
        ("Boîte de 25", 25, "box"),
        ("Tubos 3 pack", 3, "tube"),
        ("Lata de 5", 5, "tin"),
        ("Bundle of 20", 20, "bundle"),
        ("20 Cigars", 20, "box"),
        ("x25", 25, "box"),
        ("Robusto - x10", 10, "box"),
        ("3 Tubos", 3, "tube"),
    ],
)
def test_pack_phrases_in_several_languages(label, size, packaging):
    phrase = parse_pack_phrase(label)
    assert phrase is not None, label
    assert (phrase.pack_size, phrase.packaging) == (size, packaging)


@pytest.mark.parametrize(
    "text",
    [
        "56 X 5¼",
        "Robusto 50 x 7",
        "5 1/4 x 54",
        "H. Upmann Magnum 50 Cigar",
        "Behike BHK 52",
        "Siglo VI",
        "No. 2",
        "Serie D No.4",
        "25",
        "52 Ring x 6 in",
        "Romeo y Julieta No. 2 Tubos",
        "Box 2021 Edition",
    ],
)
def test_sizes_and_names_are_never_packs(text):
    assert parse_pack_phrase(text) is None


def test_a_bare_number_is_a_pack_only_when_the_option_is_a_quantity():
    assert parse_pack_phrase("25", bare_number=True).pack_size == 25


def test_packaging_words():
    assert packaging_word("Zigarrenkiste") == ""  # a compound is not the word
    assert packaging_word("Kiste") == "box"
    assert packaging_word("Tubos") == "tube"


def test_customs_labels_read_unicode_fractions_through_the_shared_grammar():
    from customs.labels import parse_dimensions

    (hint,) = parse_dimensions("Foo Belicoso 50 X 5¼")
    assert (hint.text, hint.ring_gauge, hint.length_mm) == ("50 X 5¼", 50, Decimal("133.4"))


def test_no_habanos_name_reads_as_a_pack_a_sampler_or_noise():
    """The 188 real Habanos names: their numbers (No.2, BHK 52, Magnum 50, 8-9-8) are
    names, Punch is a brand, and cleaning leaves every one as it is."""
    import csv

    from merchants.extraction.fields import clean_product_name
    from merchants.extraction.kinds import product_kind
    from tests.merchants.conftest import HABANOS_CSV

    with HABANOS_CSV.open(newline="", encoding="utf-8") as source:
        names = [f"{row['brand']} {row['name']}" for row in csv.DictReader(source)]
    assert len(names) == 188
    assert [n for n in names if parse_pack_phrase(n) is not None] == []
    assert [n for n in names if product_kind(n)[0] != "cigar"] == []
    assert [n for n in names if clean_product_name(n) != n] == []
