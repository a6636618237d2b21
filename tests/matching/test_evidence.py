"""Missing is not conflicting: one-sided words and numbers weighed within the brand.

The catalogue here is written the way a third-party site writes one — terser than the
labels (no line names, no origins, no founding years) — with siblings where a word or a
number does tell two products apart.
"""

from __future__ import annotations

import pytest

from catalogue.services import brand_get_or_create, cigar_create, line_get_or_create
from cigarspace import embeddings
from matching.analysis import analyse_label
from matching.candidates import catalogue_index
from matching.conf import default_config
from matching.scoring import score_pair
from matching.vocabulary import build_vocabulary, code_role

pytestmark = pytest.mark.django_db

CATALOGUE = {
    # brand: [vitola names] (one line named like the brand: the records carry no line)
    "Perdomo": ["Robusto", "Connecticut Robusto"],
    "Macanudo": ["Hyde Park", "Hampton Court", "Portofino"],
    "Rocky Patel": ["Vintage 1992 Robusto", "Vintage Toro", "Vintage 1990"],
    "Cohiba": ["Behike 52", "Behike 54"],
    "Vegueros": ["Robusto 50"],
    "Padron": ["Anniversary Exclusivo"],
    "Vegas Robaina": ["Famosos", "Unicos"],
}


def make_catalogue(catalogue: dict[str, list[str]] = CATALOGUE) -> dict[str, int]:
    """Cigars through the catalogue services; returns full name → id."""
    ids = {}
    for brand_name, vitolas in catalogue.items():
        brand, _ = brand_get_or_create(name=brand_name)
        line, _ = line_get_or_create(brand=brand, name=brand_name)
        for vitola in vitolas:
            cigar = cigar_create(line=line, vitola_name=vitola)
            ids[f"{brand_name} {vitola}"] = cigar.pk
    return ids


@pytest.fixture
def terse():
    ids = make_catalogue()
    return ids, catalogue_index(embeddings.model_name())


def pair(index, label: str, cigar_id: int):
    analysis = analyse_label(label, index.brands)
    cigar = index.cigars[index.position[cigar_id]]
    return score_pair(analysis, cigar, vector=None, config=default_config(), context=index.context)


def test_a_word_that_separates_two_cigars_of_the_brand_is_a_conflict(terse):
    ids, index = terse
    result = pair(index, "Perdomo Connecticut Robusto, en 25 cigares", ids["Perdomo Robusto"])
    assert "+connecticut" in result.evidence.conflict_words
    assert "distinguishing words: +connecticut" in result.constraints
    assert not result.auto_acceptable


def test_the_same_word_under_a_brand_where_it_separates_nothing_is_only_unexplained(terse):
    ids, index = terse
    separating = pair(index, "Perdomo Connecticut Robusto, en 25 cigares", ids["Perdomo Robusto"])
    silent = pair(index, "Macanudo Connecticut Hyde Park, en 25 cigares", ids["Macanudo Hyde Park"])
    assert silent.evidence.conflict_words == []
    assert silent.evidence.unexplained_words == ["+connecticut"]
    assert "words" not in silent.penalties
    # It costs less than the conflict: the word separates products in one brand of the two
    # that use it, so its cost sits between the base and a conflict's.
    assert 0 < silent.penalties["unexplained"] < separating.penalties["words"]
    assert silent.score >= default_config().reject_threshold
    # Nothing explains it yet: review, never an automatic acceptance.
    assert not silent.auto_acceptable


def test_the_separation_probability_comes_from_modifier_pairs_in_the_catalogue(terse):
    _ids, index = terse
    vocabulary = index.context.vocabulary
    # "connecticut" turns Perdomo Robusto into another cigar; Macanudo does not use it.
    assert vocabulary.separation_of("connecticut") == pytest.approx(1 / 2)
    assert vocabulary.separation_of("hyde") == 0.0
    assert vocabulary.separation_of("maduro") == 1.0  # variant vocabulary
    # Built from the cigars alone, and linear: the same figures from the index's cigars.
    rebuilt = build_vocabulary(list(index.cigars))
    assert rebuilt.separation == vocabulary.separation


def test_a_variant_word_is_a_conflict_even_without_a_sibling(terse):
    ids, index = terse
    result = pair(
        index, "Vegas Robaina Famosos Maduro, en 25 cigares", ids["Vegas Robaina Famosos"]
    )
    assert "+maduro" in result.evidence.conflict_words


def test_two_vitola_words_nothing_explains_are_a_substitution(terse):
    ids, index = terse
    result = pair(index, "Vegas Robaina Clasicos, en 25 cigares", ids["Vegas Robaina Famosos"])
    assert sorted(result.evidence.conflict_words) == ["+clasico", "-famoso"]


def test_a_label_year_the_record_lacks_is_missing_unless_a_fitting_sibling_carries_it(terse):
    ids, index = terse
    toro = ids["Rocky Patel Vintage Toro"]
    nobody = pair(index, "Rocky Patel Vintage 1999 Toro, en 20 cigares", toro)
    # "Vintage 1990" says nothing the label does not: the label may be that record.
    carried = pair(index, "Rocky Patel Vintage 1990 Toro, en 20 cigares", toro)
    # "Vintage 1992 Robusto" names a vitola the label does not: 1992 is the name of a line
    # the Toro's record leaves out, not a pointer to the Robusto.
    line_name = pair(index, "Rocky Patel Vintage 1992 Toro, en 20 cigares", toro)
    assert nobody.evidence.unexplained_codes == ["+1999"]
    assert "codes" not in nobody.penalties
    assert carried.evidence.conflict_codes == ["+1990"]
    assert carried.penalties["codes"] > 0
    assert carried.score < nobody.score
    assert line_name.evidence.unexplained_codes == ["+1992"]


def test_a_label_word_carried_only_beside_another_vitola_names_a_line(terse):
    ids, index = terse
    make_catalogue({"Cohiba": ["Maduro 5 Magicos", "Genios"]})
    index = catalogue_index(embeddings.model_name())
    ids = {**ids, **{c.full_name: c.cigar_id for c in index.cigars}}
    genios = pair(index, "Cohiba Maduro 5 Genios, en 25 cigares", ids["Cohiba Genios"])
    assert genios.evidence.conflict_words == []
    assert genios.evidence.unexplained_words == ["+maduro"]
    assert genios.evidence.unexplained_codes == ["+5"]
    # "Maduro" without the rest of that line's name names a variant of the plain Genios.
    variant = pair(index, "Cohiba Genios Maduro, en 25 cigares", ids["Cohiba Genios"])
    assert variant.evidence.conflict_words == ["+maduro"]
    assert not variant.auto_acceptable


def test_code_roles():
    assert code_role("1964") == "year"
    assert code_role("52") == "number"
    assert code_role("d") == "letter"


def test_an_unknown_brand_before_a_name_many_brands_use_is_no_evidence(terse):
    ids, index = terse
    # "Robusto" is a cigar of Perdomo (and, in name, of Vegueros' "Robusto 50"): an
    # unknown first word says nothing of which.
    make_catalogue({"Davidoff": ["Robusto"]})
    index = catalogue_index(embeddings.model_name())
    ids = {c.full_name: c.cigar_id for c in index.cigars}
    generic = pair(index, "Sindicato Robusto, en 20 cigares", ids["Perdomo Robusto"])
    distinct = pair(index, "Vegaz Robaina Famosos, en 25 cigares", ids["Vegas Robaina Famosos"])
    assert "ambiguous_name" in generic.penalties
    assert "ambiguous_name" not in distinct.penalties
    assert generic.score < distinct.score
