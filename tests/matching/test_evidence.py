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


def test_a_wrapper_word_no_cigar_of_the_brand_carries_costs_in_full_but_is_unexplained(terse):
    # Changed with the wrapper rules: a wrapper word counts against the candidate at
    # its full weight, but when no record of the brand carries it, the brand's records
    # do not tell wrappers apart — missing, not conflicting.
    ids, index = terse
    result = pair(
        index, "Vegas Robaina Famosos Maduro, en 25 cigares", ids["Vegas Robaina Famosos"]
    )
    assert result.evidence.conflict_words == []
    assert result.evidence.unexplained_words == ["+maduro"]
    full_cost = default_config().penalties["word"]
    assert result.penalties["unexplained"] == pytest.approx(full_cost)
    assert not result.auto_acceptable


def test_a_size_word_is_a_conflict_even_without_a_sibling(terse):
    ids, index = terse
    result = pair(
        index, "Vegas Robaina Famosos Double, en 25 cigares", ids["Vegas Robaina Famosos"]
    )
    assert "+double" in result.evidence.conflict_words


def test_a_wrapper_word_another_cigar_of_the_brand_carries_is_a_conflict(terse):
    ids, index = terse
    make_catalogue({"Vegas Robaina": ["Unicos Maduro"]})
    index = catalogue_index(embeddings.model_name())
    result = pair(
        index, "Vegas Robaina Famosos Maduro, en 25 cigares", ids["Vegas Robaina Famosos"]
    )
    assert "+maduro" in result.evidence.conflict_words


def test_a_wrapper_word_fits_the_unmarked_twin_of_another_wrapper(terse):
    _ids, index = terse
    made = make_catalogue({"Padron": ["No. 45", "No. 45 Natural", "No. 9 Maduro"]})
    index = catalogue_index(embeddings.model_name())
    plain = pair(index, "Padron No. 45 Maduro, en 10 cigares", made["Padron No. 45"])
    natural = pair(index, "Padron No. 45 Maduro, en 10 cigares", made["Padron No. 45 Natural"])
    # "No. 45" beside "No. 45 Natural" is the other wrapper: the label's "Maduro" is what
    # the record leaves unsaid, at the base cost; the natural one states another wrapper.
    assert plain.evidence.conflict_words == []
    assert plain.evidence.unexplained_words == ["+maduro"]
    assert plain.penalties["unexplained"] == default_config().penalties["unexplained_word"]
    assert "+maduro" in natural.evidence.conflict_words
    assert plain.score > natural.score
    assert not plain.auto_acceptable


def test_a_line_the_label_names_in_place_of_the_records_line_is_a_conflict(terse):
    _ids, index = terse
    brand, _ = brand_get_or_create(name="Oliva")
    baptiste, _ = line_get_or_create(brand=brand, name="Baptiste")
    record = cigar_create(line=baptiste, vitola_name="Robusto")
    index = catalogue_index(embeddings.model_name())
    # Read without its line, "Oliva Baptiste Robusto" is what a label that leaves the line
    # out names; a label that names a line of its own in that place names another line.
    omitted = pair(index, "Oliva Robusto, en 20 cigares", record.pk)
    other_line = pair(index, "Oliva Serie O Robusto, en 20 cigares", record.pk)
    assert omitted.evidence.conflict_words == []
    assert {"+serie", "-baptiste"} <= set(other_line.evidence.conflict_words)
    assert other_line.score < omitted.score
    assert other_line.score < default_config().reject_threshold


def test_an_edition_on_one_side_only_is_missing_unless_the_brand_names_its_editions(terse):
    ids, index = terse
    made = make_catalogue({"Cohiba": ["Robusto", "Piramides Edicion Limitada 2001"]})
    index = catalogue_index(embeddings.model_name())
    terse_brand = pair(
        index,
        "Padron Anniversary Exclusivo Gran Reserva, 25 cigares",
        ids["Padron Anniversary Exclusivo"],
    )
    naming_brand = pair(index, "Cohiba Robusto Gran Reserva, 10 cigares", made["Cohiba Robusto"])
    dated = pair(
        index,
        "Padron Anniversary Exclusivo Edition Limitée 2021, 25 cigares",
        ids["Padron Anniversary Exclusivo"],
    )
    # Padron's records name no edition: the label's "Gran Reserva" is what they leave out.
    assert "edition" not in terse_brand.penalties
    assert terse_brand.penalties["edition_one_side"] > 0
    assert terse_brand.score >= default_config().reject_threshold
    assert not terse_brand.auto_acceptable
    # Cohiba's records do: an edition without a record of its own is another product.
    full = default_config().penalties["edition"]
    assert naming_brand.penalties["edition"] == full
    assert naming_brand.score < terse_brand.score
    # A dated release is another product than the regular production, under any brand.
    assert dated.penalties["edition"] == full


def test_a_presentation_sibling_counts_only_with_the_same_numbers(terse):
    _ids, index = terse
    made = make_catalogue({"Cohiba": ["Siglo VI", "Siglo I", "Siglo I Tubos"]})
    index = catalogue_index(embeddings.model_name())
    six = pair(index, "Cohiba Siglo VI Tubos, en 3 cigares", made["Cohiba Siglo VI"])
    one = pair(index, "Cohiba Siglo I Tubos, en 3 cigares", made["Cohiba Siglo I"])
    # "Siglo I Tubos" tells the tubed Siglo I apart, not the tubed Siglo VI.
    assert six.evidence.conflict_words == []
    assert "+tubo" in one.evidence.conflict_words


def test_a_vitola_read_without_the_brand_does_not_borrow_another_records_name():
    made = make_catalogue({"Romeo y Julieta": ["Julieta No. 2", "No. 2"]})
    index = catalogue_index(embeddings.model_name())
    label = "Romeo y Julieta Romeo N°2 (tube), en 25 cigares"
    plain = pair(index, label, made["Romeo y Julieta No. 2"])
    julieta = pair(index, label, made["Romeo y Julieta Julieta No. 2"])
    assert plain.signals["exact"] == 1.0
    assert julieta.score < plain.score


def test_a_maker_credit_that_names_a_catalogue_brand_is_the_brand(terse):
    ids, index = terse
    analysis = analyse_label("Famosos Maduro by Vegas Robaina, en 25 cigares", index.brands)
    assert index.brands.names[analysis.brand_id] == "Vegas Robaina"
    assert analysis.rest_words == ("famoso", "maduro")
    result = pair(index, "Famosos by Vegas Robaina, en 25 cigares", ids["Vegas Robaina Famosos"])
    assert result.signals["exact"] == 1.0
    assert result.auto_acceptable


def test_a_label_silent_about_the_brand_is_compared_with_the_name_alone(terse):
    ids, index = terse
    unique = pair(index, "HAMPTON COURT, en 5 cigares", ids["Macanudo Hampton Court"])
    assert unique.evidence.conflict_words == []
    assert "ambiguous_name" not in unique.penalties
    assert unique.score >= default_config().reject_threshold
    assert not unique.auto_acceptable  # no brand read: review at best
    make_catalogue({"Aurora": ["Hampton Court"]})
    index = catalogue_index(embeddings.model_name())
    shared = pair(index, "HAMPTON COURT, en 5 cigares", ids["Macanudo Hampton Court"])
    assert "ambiguous_name" in shared.penalties
    assert shared.score < unique.score


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


def test_a_maker_written_before_the_brand_reads_the_brand_that_follows():
    made = make_catalogue(
        {
            # The catalogue says Drew Estate makes Liga Privada: one of its records
            # names it.
            "Drew Estate": ["Kuba Arriba", "Liga Privada No. 9 Robusto"],
            "Liga Privada": ["No. 9 Toro", "T52 Robusto"],
            "Cuaba": ["Exclusivos"],
        }
    )
    index = catalogue_index(embeddings.model_name())
    label = "Drew Estate Liga Privada N°9 Toro, en 24 cigares"
    analysis = analyse_label(label, index.brands)
    assert index.brands.names[analysis.brand_id] == "Drew Estate"
    toro = pair(index, label, made["Liga Privada No. 9 Toro"])
    t52 = pair(index, label, made["Liga Privada T52 Robusto"])
    assert "another brand" not in toro.constraints
    assert "a maker written before the brand" in toro.constraints
    assert toro.signals["exact"] == 1.0
    assert toro.score >= default_config().reject_threshold
    assert not toro.auto_acceptable  # two brands read: a reviewer confirms it once
    assert t52.score < toro.score
    # A brand whose records never name the other is no maker of it: another brand.
    cuaba = pair(
        index, "Cuaba Liga Privada N°9 Toro, en 24 cigares", made["Liga Privada No. 9 Toro"]
    )
    assert "another brand" in cuaba.constraints
    assert cuaba.score < toro.score
