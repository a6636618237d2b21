"""Resolving merchant products to catalogue cigars (brand, numbers, size, words)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from merchants.resolve import brand_for, cigar_resolve

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "brand", "length", "ring", "expected"),
    [
        ("Cohiba Siglo VI", "Cohiba", Decimal("150"), 52, "Cohiba Siglo VI"),
        ("Siglo 6", "Cohiba", None, None, "Cohiba Siglo VI"),
        ("Cohiba Siglo IV", "", None, None, "Cohiba Siglo IV"),
        ("Montecristo No. 2", "Montecristo", Decimal("156"), 52, "Montecristo No.2"),
        ("Montecristo Nº4", "", None, None, "Montecristo No.4"),
        ("Partagas Serie D N°4", "PARTAGAS", None, None, "Partagás Serie D No.4"),
        ("Romeo y Julieta Churchills", "", Decimal("177.8"), 47, "Romeo y Julieta Churchills"),
        ("Romeo y Julieta Churchills Tubos", "", None, None, "Romeo y Julieta Churchills"),
        ("Montecristo Edmundo", "Montecristo", Decimal("135"), 52, "Montecristo Edmundos"),
        ("Behike 52", "Cohiba", None, None, "Cohiba Behike BHK 52"),
        # The line left out by the shop.
        ("Cohiba BHK 54", "Cohiba", Decimal("144"), 54, "Cohiba Behike BHK 54"),
        ("Cohiba Genios", "", Decimal("140"), 52, "Cohiba Maduro 5 Genios"),
    ],
)
def test_resolves_to_the_right_cigar(habanos, name, brand, length, ring, expected):
    found = cigar_resolve(name=name, brand=brand, length_mm=length, ring_gauge=ring)
    assert found.cigar is not None, found.reason
    assert found.cigar.full_name == expected


@pytest.mark.parametrize(
    ("name", "brand", "length", "ring", "why"),
    [
        # Numbers must agree: no Siglo VII, no Montecristo No.6.
        ("Cohiba Siglo VII", "Cohiba", None, None, "numbers differ"),
        ("Montecristo No.6", "", None, None, "numbers differ"),
        # A known name with another size is another cigar.
        ("Cohiba Robustos", "Cohiba", Decimal("140"), 52, "length"),
        ("Cohiba Robustos", "Cohiba", Decimal("124"), 56, "ring"),
        # A brand the catalogue does not hold.
        ("Davidoff Millennium Robusto", "Davidoff", None, None, "no catalogue brand"),
        ("Cohiba Talismán", "Cohiba", None, None, "differ"),
    ],
)
def test_declines_when_nothing_fits(habanos, name, brand, length, ring, why):
    found = cigar_resolve(name=name, brand=brand, length_mm=length, ring_gauge=ring)
    assert found.cigar is None
    assert why in found.reason


def test_brand_from_the_title_prefers_the_longest_name(habanos):
    assert brand_for("Romeo y Julieta Churchills", "").name == "Romeo y Julieta"
    assert brand_for("Some cigar", "bolivar").name == "Bolívar"
    assert brand_for("Some cigar", "") is None


def test_every_cigar_of_the_demo_catalogue_resolves_to_itself(habanos_all):
    """As a shop would title them: brand + commercial name, with the official size."""
    wrong = []
    for cigar in habanos_all:
        brand = cigar.line.brand.name
        name = cigar.vitola_name
        title = name if name.startswith(brand) else f"{brand} {name}"
        found = cigar_resolve(
            name=title, brand=brand, length_mm=cigar.length_mm, ring_gauge=cigar.ring_gauge
        )
        if found.cigar is None or found.cigar.pk != cigar.pk:
            wrong.append((title, found.reason))
    assert wrong == []
    assert len(habanos_all) == 188
