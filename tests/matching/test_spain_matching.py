"""Spanish names through the same matcher: the source's grammar, both countries on one cigar."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.models import AliasKind, CigarAlias
from customs.labels.grammars import label_grammar
from customs.models import CustomsSource
from customs.selectors import source_label_grammar
from customs.services.files import publication_ingest_file
from matching.analysis import BrandIndex, analyse_label
from matching.models import CigarCustomsMatch, MatchStatus
from matching.services import match_accept, publication_match
from tests.factories import OperatorFactory
from tests.matching.conftest import add_entries, cigar

pytestmark = pytest.mark.django_db

SPAIN = Path(__file__).resolve().parents[1] / "customs" / "fixtures" / "spain"
SPANISH = label_grammar("es")


def best(entry) -> CigarCustomsMatch:
    return CigarCustomsMatch.objects.select_related("cigar").get(price_entry=entry, rank=1)


def test_each_source_names_its_grammar():
    assert source_label_grammar(slug="es-cmt").name == "es"
    assert source_label_grammar(slug="es-boe").name == "es"
    assert source_label_grammar(slug="fr-douane-opendata").name == "fr"


def test_the_spanish_grammar_reads_brand_sizes_and_packaging(index):
    label = analyse_label("HOYO DE MONTERREY Epicure N° 2 Tubos (15)", index.brands, SPANISH)
    assert label.brand_name == "Hoyo de Monterrey"
    assert label.rest == ("epicure", "no", "2")  # the packaging word is not a name word
    assert label.pack_size == 15
    assert "tube" in label.parsed.packaging_attributes

    sized = analyse_label("ALADINO Classic Toro 6x50 (20)", index.brands, SPANISH)
    assert (sized.ring_gauge, sized.length_mm) == (50, 152.4)
    assert "6x50" not in " ".join(sized.tokens)


def test_the_capitals_end_the_brand():
    brands = BrandIndex.build([(1, "Cuaba", []), (2, "Cuaba Divinos", [])])
    # Without a cue the longest catalogue brand wins; the capitals say the brand is "CUABA".
    assert analyse_label("Cuaba Divinos, en 25 cigares", brands).brand_id == 2
    spanish = analyse_label("CUABA Divinos (25)", brands, SPANISH)
    assert (spanish.brand_id, spanish.rest) == (1, ("divino",))
    # Capitals running on past a brand keep the brand within them.
    assert analyse_label("CUABA BHK 52 (10)", brands, SPANISH).brand_id == 1


def test_cmt_names_match_the_demo_catalogue(habanos):
    source = CustomsSource.objects.get(slug="es-cmt")
    publication = publication_ingest_file(
        source=source, path=SPAIN / "cmt_peninsula.csv", zone="peninsula"
    )
    publication_match(publication=publication)
    entries = {e.raw_label: e for e in publication.entries.all()}

    expected = {
        "HOYO DE MONTERREY Epicure N° 2 (25)": "Hoyo de Monterrey Epicure No.2",
        "COHIBA Siglo VI (25)": "Cohiba Siglo VI",
        "PARTAGÁS Serie D N° 4 Mazo (25)": "Partagás Serie D No.4",
        "BOLÍVAR Belicosos Finos (25)": "Bolívar Belicosos Finos",
        "MONTECRISTO Petit Edmundo Latas (10)": "Montecristo Petit Edmundo",
        "COHIBA Behike BHK 52 (10)": "Cohiba Behike BHK 52",
    }
    for label, full_name in expected.items():
        match = best(entries[label])
        assert match.cigar == cigar(full_name), label
        assert match.status == MatchStatus.AUTO_ACCEPTED, (label, match.signals)
    # Not Habanos, not in the catalogue: never accepted.
    assert best(entries["ALADINO Classic Toro 6x50 (20)"]).status != MatchStatus.AUTO_ACCEPTED


def test_both_countries_point_at_one_cigar_with_a_memory_per_source(habanos, publication):
    (french,) = add_entries(publication, ["Hoyo de Monterrey Epicure N°2, en 25 cigares"])
    spanish_publication = publication_ingest_file(
        source=CustomsSource.objects.get(slug="es-cmt"),
        path=SPAIN / "cmt_ceuta.csv",
        zone="ceuta-melilla",
    )
    publication_match(publication=publication)
    publication_match(publication=spanish_publication)
    spanish = spanish_publication.entries.get(raw_label="HOYO DE MONTERREY Epicure N° 2 (25)")

    epicure = cigar("Hoyo de Monterrey Epicure No.2")
    assert best(french).cigar == best(spanish).cigar == epicure

    match_accept(match=best(spanish), actor=OperatorFactory(), note="checked")
    aliases = CigarAlias.objects.filter(cigar=epicure, kind=AliasKind.ACCEPTED)
    # The label memory is per source: the Spanish decision is filed under es-cmt only.
    assert set(aliases.values_list("source_slug", flat=True)) == {"es-cmt"}
    assert aliases.get().normalised_label == spanish.normalised_label
