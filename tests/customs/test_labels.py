"""Every label shape of docs/publication-formats.md §1, and the normalisation rules of §5."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customs.labels import (
    CellKind,
    PriceParseError,
    classify_price_cell,
    label_key,
    normalise_name,
    parse_dimensions,
    parse_label,
    parse_price,
    prices_disagree,
    unit_from_pack,
)


@pytest.mark.parametrize(
    ("raw", "name", "pack_size"),
    [
        ("Cohiba Robustos, en 25 cigares", "Cohiba Robustos", 25),
        ("Cohiba Robustos (5 étuis de 3), en 3 cigares", "Cohiba Robustos", 3),
        ("Cohiba Robustos (tube - 5 étuis de 3), en 3 cigares", "Cohiba Robustos", 3),
        ("Cohiba BHK 54, en 10 cigares", "Cohiba BHK 54", 10),
        ("Cohiba Novedosos (CDH + HS) , en 25 cigares", "Cohiba Novedosos", 25),
        ("Cohiba Panetelas, (5 étuis de 5) en 5 cigares", "Cohiba Panetelas", 5),
        (
            "Cohiba Short 88 année du cheval (coffret), en 88 cigares",
            "Cohiba Short 88 année du cheval",
            88,
        ),
        (
            "Montecristo Wide Edmundo (tube- 5 étuis de 3), en 3 cigares",
            "Montecristo Wide Edmundo",
            3,
        ),
        ("Partagas Serie D n°4, en 25 cigares", "Partagas Serie D n°4", 25),
        ("Partagas Serie D N°6, en 5 boites de 5 cigares", "Partagas Serie D N°6", 5),
        ("Partagas Linea Maestra (coffret), 3 cigares", "Partagas Linea Maestra", 3),
        (
            "Bolivar Regentes Edition Limitée 2021, en 25 cigares",
            "Bolivar Regentes Edition Limitée 2021",
            25,
        ),
        ("Capitol Art Deco E.L. (coffret), en 10 cigares", "Capitol Art Deco E.L.", 10),
        ("H.Upmann Coronas Junior (tube), en 25 cigares", "H.Upmann Coronas Junior", 25),
        ("Punch Triunfos (10 étuis alu de 5), en 5 cigares", "Punch Triunfos", 5),
        ("Padron 1926, N° 9", "Padron 1926, N° 9", None),
        ("La Estancia #60, en 10 ciagres", "La Estancia #60", 10),
        ("El Septimo MICHELANGELO, en 20 cigare", "El Septimo MICHELANGELO", 20),
        ("ADRIAN MAGNUS  1808 Robusto", "ADRIAN MAGNUS 1808 Robusto", None),
        (
            "1916 Tabacalera Eiroa Belicoso 50 X 61/2",
            "1916 Tabacalera Eiroa Belicoso 50 X 61/2",
            None,
        ),
        (
            "Aladino - Maduro - Boxed Pressed \u2013 Robusto",
            "Aladino - Maduro - Boxed Pressed \u2013 Robusto",
            None,
        ),
        ("Fleur de Savane Ecuador (boîte métal), en 20 cigares", "Fleur de Savane Ecuador", 20),
        ("Lucky Strike Cigarillos, en 10 cigares", "Lucky Strike Cigarillos", 10),
        ("Hoyo Epicure, en 22cigares", "Hoyo Epicure", 22),
        ("Vegueros Tapados, en boîte de 18 cigares", "Vegueros Tapados", 18),
        ("Diplomaticos Mag 46 coffret de 14", "Diplomaticos Mag 46 coffret de 14", 14),
        (
            "Romeo y Julieta Coronitas en Cedro, en 25 cigares",
            "Romeo y Julieta Coronitas en Cedro",
            25,
        ),
    ],
)
def test_verbatim_labels_give_name_and_pack_size(raw, name, pack_size):
    parsed = parse_label(raw)
    assert parsed.name == name
    assert parsed.pack_size == pack_size


def test_the_last_en_n_wins_and_parentheses_never_give_the_pack():
    parsed = parse_label("Cohiba Robustos (tube - 5 étuis de 3), en 3 cigares")
    assert parsed.pack_size == 3
    assert parsed.packaging == ("tube - 5 étuis de 3",)
    assert parsed.packaging_attributes == ("tube", "étui")
    assert parsed.packaging_counts == ((5, 3),)
    assert parse_label("Edition en 2 parties, en 10 cigares").pack_size == 10


def test_boxes_of_n_prices_one_box():
    parsed = parse_label("Partagas Serie D N°6, en 5 boites de 5 cigares")
    assert parsed.pack_rule == "en_boxes_of"
    assert parsed.outer_count == 5
    assert parse_label("Foo, en 4 boîtes de 6 cigares").pack_size == 6


def test_en_inside_a_name_is_never_stripped():
    parsed = parse_label("Romeo y Julieta Coronitas en Cedro, en 25 cigares")
    assert "en Cedro" in parsed.name
    assert parsed.normalised == "romeo y julieta coronita en cedro"


def test_label_without_en_needs_the_cigar_word():
    assert parse_label("Partagas Linea Maestra (coffret), 3 cigares").pack_rule == "comma_n"
    # ", N° 9" is a vitola number, not a pack.
    assert parse_label("Padron 1926, N° 9").pack_size is None


@pytest.mark.parametrize(
    ("raw", "attributes"),
    [
        ("Fleur de Savane Ecuador (boîte métal), en 20 cigares", ("boîte métal",)),
        ("H.Upmann Coronas Junior (tube), en 25 cigares", ("tube",)),
        ("Punch Triunfos (10 étuis alu de 5), en 5 cigares", ("étui", "alu")),
        ("Cohiba Short 88 année du cheval (coffret), en 88 cigares", ("coffret",)),
        ("Cohiba Novedosos (CDH + HS) , en 25 cigares", ()),
    ],
)
def test_packaging_attributes(raw, attributes):
    assert parse_label(raw).packaging_attributes == attributes


@pytest.mark.parametrize(
    ("raw", "editions"),
    [
        ("Bolivar Regentes Edition Limitée 2021, en 25 cigares", ("Edition Limitée 2021",)),
        ("Capitol Art Deco E.L. (coffret), en 10 cigares", ("E.L.",)),
        ("Partagas Serie E Edition Régionale, en 10 cigares", ("Edition Régionale",)),
        ("Montecristo Gran Reserva 2017, en 15 cigares", ("Gran Reserva 2017",)),
        ("Cohiba Short año chino, en 10 cigares", ("año chino",)),
        ("Cohiba Short 88 année du cheval (coffret), en 88 cigares", ("année du cheval",)),
        ("Cohiba Robustos, en 25 cigares", ()),
    ],
)
def test_edition_words(raw, editions):
    assert parse_label(raw).editions == editions


def test_dimension_hints_by_range():
    (hint,) = parse_dimensions("1916 Tabacalera Eiroa Belicoso 50 X 61/2")
    assert (hint.ring_gauge, hint.length_inches, hint.length_mm) == (
        50,
        Decimal("6.5"),
        Decimal("165.1"),
    )
    (hint,) = parse_dimensions("Foo Toro 6 x 52")
    assert (hint.ring_gauge, hint.length_mm) == (52, Decimal("152.4"))
    (hint,) = parse_dimensions("Foo Robusto 50 x 5")
    assert (hint.ring_gauge, hint.length_mm) == (50, Decimal("127.0"))
    (hint,) = parse_dimensions("Foo 152 x 52")
    assert (hint.ring_gauge, hint.length_mm, hint.length_inches) == (52, Decimal("152.0"), None)
    # A ring of 90 or a length of 20 are not dimensions of a cigar.
    assert parse_dimensions("Foo 90 x 20") == []
    assert parse_label("Cohiba Robustos, en 25 cigares").dimensions == ()


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Partagás Serie D", "Partagas Serie D"),
        ("Bolívar Belicosos Finos", "BOLIVAR belicosos finos"),
        ("Larrañaga Petit Corona", "Larranaga Petit Corona"),
        ("H.Upmann Magnum 46", "H. Upmann Magnum 46"),
        ("Montecristo N° 2", "Montecristo n°2"),
        ("Montecristo No. 2", "Montecristo Nº 2"),
        ("Montecristo #2", "Montecristo N° 2"),
        ("Romeo y Julieta Churchills", "Romeo y Julieta Churchill"),
        ("Aladino - Maduro \u2013 Robusto", "Aladino  Maduro  Robusto"),
    ],
)
def test_normalisation_equalities(left, right):
    assert normalise_name(left) == normalise_name(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Cohiba Siglo VI", "Cohiba Siglo I"),
        ("Cohiba BHK 52", "Cohiba BHK 54"),
        ("H. Upmann Epicure No 1", "H. Upmann Epicure No 2"),
        ("Montecristo Petit Edmundo", "Montecristo Edmundo"),
    ],
)
def test_numbers_numerals_and_extra_words_keep_names_apart(left, right):
    assert normalise_name(left) != normalise_name(right)


def test_normalised_form_is_stable():
    assert normalise_name("Partagás Serie D Nº 4") == "partaga serie d no 4"
    assert normalise_name("Nobleza Corona") == "nobleza corona"
    assert label_key("Cohiba Robustos, en 25 cigares") != label_key(
        "Cohiba Robustos (5 étuis de 3), en 3 cigares"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1 234,50", Decimal("1234.50")),
        ("1\u00a0234,50", Decimal("1234.50")),
        ("1\u202f234,50", Decimal("1234.50")),
        ("1.234,50", Decimal("1234.50")),
        ("2112,50", Decimal("2112.50")),
        ("246.0", Decimal("246.00")),
        ("82,00 €", Decimal("82.00")),
        (82.0, Decimal("82.00")),
        (86.5, Decimal("86.50")),
        (17.3, Decimal("17.30")),
        (246, Decimal("246.00")),
        (None, None),
        ("  ", None),
    ],
)
def test_parse_price(value, expected):
    assert parse_price(value) == expected


@pytest.mark.parametrize("junk", ["abc", "12,3,4", "-5", True, float("nan")])
def test_parse_price_refuses_junk(junk):
    with pytest.raises(PriceParseError):
        parse_price(junk)


def test_price_cells():
    assert classify_price_cell("Sans changement").kind is CellKind.UNCHANGED
    assert classify_price_cell("  sans   CHANGEMENT ").kind is CellKind.UNCHANGED
    assert classify_price_cell("Retrait").kind is CellKind.WITHDRAWN
    assert classify_price_cell(None).kind is CellKind.EMPTY
    cell = classify_price_cell(12.5)
    assert (cell.kind, cell.value) == (CellKind.PRICE, Decimal("12.50"))


def test_unit_from_pack_and_the_consistency_check():
    assert unit_from_pack(Decimal("396.00"), 3) == Decimal("132.00")
    assert unit_from_pack(Decimal("100.00"), 3) == Decimal("33.33")
    assert not prices_disagree(Decimal("33.33"), Decimal("100.00"), 3)
    assert not prices_disagree(Decimal("17.30"), Decimal("86.50"), 5)
    assert prices_disagree(Decimal("10.00"), Decimal("260.00"), 25)
