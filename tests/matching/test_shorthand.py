"""Supplier shorthand and brand spellings on real-looking labels (issue 7, demo list).

Suppliers write "Partagas P2" for Partagás Serie P No.2, "Behike 56" for Cohiba Behike
BHK 56, "Monte Cristo" and "San Cristobal de la Habana" for the brands the catalogue
calls Montecristo and San Cristóbal. Each must reach the cigar it names, and none may
hand a label to a sibling (another number, another series letter, an extra word).
"""

from __future__ import annotations

import pytest

from matching.analysis import BrandIndex, analyse_label
from matching.conf import default_config
from matching.models import CigarCustomsMatch, MatchStatus
from matching.scoring import score_pair
from matching.services import publication_match
from matching.shorthand import is_abbreviation, shorthand_variants
from tests.matching.conftest import add_entries, score

pytestmark = pytest.mark.django_db


def ranked(index, label: str) -> list[tuple[str, float]]:
    """Every catalogue cigar scored against the label, best first."""
    analysis = analyse_label(label, index.brands)
    config = default_config()
    scores = [
        (c.full_name, score_pair(analysis, c, vector=None, config=config).score)
        for c in index.cigars
    ]
    return sorted(scores, key=lambda item: -item[1])


def matched(publication, labels: list[str]) -> list[CigarCustomsMatch]:
    entries = add_entries(publication, labels)
    publication_match(publication=publication)
    return [
        CigarCustomsMatch.objects.select_related("cigar").get(price_entry=entry, rank=1)
        for entry in entries
    ]


# --- line shorthand -------------------------------------------------------------------------


def test_abbreviation_is_the_words_letters_in_order_from_its_first():
    assert is_abbreviation("bhk", "behike")
    assert not is_abbreviation("bkh", "behike")  # out of order
    assert not is_abbreviation("hk", "behike")  # too short to be more than chance
    assert not is_abbreviation("ehk", "behike")  # not the first letter
    assert not is_abbreviation("behike", "behike")


def testshorthand_variants_keep_every_code():
    assert shorthand_variants(("serie", "p", "no", "2"), ("serie", "p")) == [("p", "2")]
    assert shorthand_variants(("bhk", "56"), ("behike",)) == [("behike", "56")]
    # Nothing to shorten: no series letter, no abbreviation of the line.
    assert shorthand_variants(("petit", "edmundo"), ("edmundo",)) == []
    assert shorthand_variants(("serie", "no", "2"), ("partaga",)) == []


@pytest.mark.parametrize(
    ("label", "full_name"),
    [
        ("PARTAGAS P2 (BOITE 25)", "Partagás Serie P No.2"),
        ("Partagas P2, en 25 cigares", "Partagás Serie P No.2"),
        ("Partagás D4, en 25 cigares", "Partagás Serie D No.4"),
        ("Partagas E 2, en 25 cigares", "Partagás Serie E No.2"),
        ("Cohiba Behike 56, en 10 cigares", "Cohiba Behike BHK 56"),
        ("COHIBA BEHIKE 52 (coffret), en 10 cigares", "Cohiba Behike BHK 52"),
        ("Cohiba BHK56, en 10 cigares", "Cohiba Behike BHK 56"),
    ],
)
def test_supplier_shorthand_finds_the_cigar_it_names_first(index, label, full_name):
    best_name, best_score = ranked(index, label)[0]
    assert best_name == full_name
    assert best_score >= default_config().accept_threshold


def test_the_full_spelling_still_beats_the_shorthand_reading(index):
    full = score(index, "Partagas Serie P No.2, en 25 cigares", "Partagás Serie P No.2")
    short = score(index, "Partagas P2, en 25 cigares", "Partagás Serie P No.2")
    assert "shorthand" not in full.penalties
    assert short.penalties == {"shorthand": pytest.approx(0.03)}
    assert full.score > short.score


@pytest.mark.parametrize(
    ("label", "sibling"),
    [
        ("Cohiba Behike 56, en 10 cigares", "Cohiba Behike BHK 52"),
        ("Cohiba Behike 56, en 10 cigares", "Cohiba Behike BHK 54"),
        ("Partagas P2, en 25 cigares", "Partagás Serie E No.2"),
        ("Partagas P2, en 25 cigares", "Partagás Serie D No.4"),
    ],
)
def test_shorthand_never_reads_as_a_sibling(index, label, sibling):
    result = score(index, label, sibling)
    assert any(c.startswith("numbers differ") for c in result.constraints)
    assert result.score < default_config().reject_threshold


def test_behike_56_goes_to_bhk_56_and_never_to_52_or_54(habanos, publication):
    [best] = matched(publication, ["Cohiba Behike 56, en 10 cigares"])
    assert best.cigar.full_name == "Cohiba Behike BHK 56"
    assert best.status == MatchStatus.AUTO_ACCEPTED
    siblings = CigarCustomsMatch.objects.filter(
        price_entry=best.price_entry,
        cigar__full_name__in=["Cohiba Behike BHK 52", "Cohiba Behike BHK 54"],
    )
    assert not siblings.exclude(status=MatchStatus.AUTO_REJECTED).exists()


def test_shorthand_of_cigars_the_catalogue_lacks_is_never_auto_accepted(habanos, publication):
    labels = [
        "Cohiba Behike 58, en 10 cigares",  # BHK 58: not in the 2016 catalogue
        "Partagas P1, en 25 cigares",  # Serie P No.1: not in the catalogue
        "Partagas D3 (tube), en 3 cigares",  # Serie D No.3: idem
        "Partagas Serie No.2, en 25 cigares",  # the Serie line, not Serie P or E
        "Partagas P2 Maduro, en 25 cigares",  # an extra distinguishing word
        "Partagas D4 Edición Limitada 2019, en 10 cigares",  # an edition
    ]
    for best in matched(publication, labels):
        assert best.status != MatchStatus.AUTO_ACCEPTED, (
            best.price_entry.raw_label,
            best.cigar.full_name,
        )


def test_shorthand_labels_are_auto_accepted_through_a_run(habanos, publication):
    results = matched(
        publication,
        ["PARTAGAS P2 (BOITE 25)", "Partagas D4, en 25 cigares", "Cohiba Behike 54, en 10 cigares"],
    )
    assert [(m.cigar.full_name, m.status) for m in results] == [
        ("Partagás Serie P No.2", MatchStatus.AUTO_ACCEPTED),
        ("Partagás Serie D No.4", MatchStatus.AUTO_ACCEPTED),
        ("Cohiba Behike BHK 54", MatchStatus.AUTO_ACCEPTED),
    ]


# --- brand spellings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "brand", "full_name"),
    [
        (
            "San Cristobal de la Habana La Fuerza, en 25 cigares",
            "San Cristóbal",
            "San Cristóbal La Fuerza",
        ),
        ("Monte Cristo A (coffret), en 5 cigares", "Montecristo", "Montecristo A"),
        ("MONTE CRISTO N°4, en 25 cigares", "Montecristo", "Montecristo No.4"),
        ("Quintero y Hermano Favoritos, en 25 cigares", "Quintero", "Quintero Favoritos"),
    ],
)
def test_a_brand_alias_spelling_is_read_as_that_brand(index, label, brand, full_name):
    analysis = analyse_label(label, index.brands)
    assert analysis.brand_name == brand
    result = score(index, label, full_name)
    # The alias keys like the catalogue name: an exact match, nothing distinguishing.
    assert result.signals["exact"] == 1.0
    assert result.constraints == []
    assert ranked(index, label)[0][0] == full_name


def test_alias_spellings_come_from_the_catalogue_data(habanos):
    from catalogue.models import Brand

    assert "Monte Cristo" in Brand.objects.get(name="Montecristo").aliases
    assert "San Cristóbal de La Habana" in Brand.objects.get(name="San Cristóbal").aliases


def test_brand_words_split_or_glued_are_that_brand_without_an_alias():
    brands = BrandIndex.build(
        [(1, "Montecristo", []), (2, "Sancho Panza", []), (3, "Punch", []), (4, "Cohiba", [])]
    )
    assert brands.guess(["monte", "cristo", "a"]) == (1, 2)
    assert brands.guess(["sanchopanza", "belicoso"]) == (2, 1)
    # A brand spelt as in the catalogue still wins, and short joins are no brand.
    assert brands.guess(["punch", "punch"]) == (3, 1)
    assert brands.guess(["pun", "ch", "robusto"]) == (None, 0)


def test_an_alias_with_a_distinguishing_word_is_still_another_product(habanos, publication):
    labels = [
        "San Cristobal de la Habana La Fuerza Gran Reserva, en 25 cigares",
        "Monte Cristo Petit Edmundo Maduro, en 10 cigares",
        "Monte Cristo No 6, en 25 cigares",
    ]
    for best in matched(publication, labels):
        assert best.status != MatchStatus.AUTO_ACCEPTED, best.price_entry.raw_label
