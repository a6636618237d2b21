import re

import pytest
from django.db import connection

from catalogue import services
from catalogue.importer import catalogue_import
from catalogue.models import Cigar
from catalogue.search import (
    cigar_search,
    cigar_trigram_neighbours,
    cigar_vector_neighbours,
    embeddings_present,
    reciprocal_rank_fusion,
    trigram_neighbours_queryset,
    vector_neighbours_queryset,
)
from cigarspace import embeddings
from tests.catalogue.conftest import HABANOS_CSV

pytestmark = pytest.mark.django_db


def names(hits):
    by_id = dict(Cigar.objects.values_list("pk", "full_name"))
    return [by_id[pk] for pk, *_ in hits]


@pytest.fixture
def habanos(db):
    catalogue_import(path=HABANOS_CSV)


def test_cohiba_siglo_6_finds_siglo_vi_first(habanos):
    hits = cigar_trigram_neighbours("cohiba siglo 6", k=10)
    assert names(hits)[0] == "Cohiba Siglo VI"
    assert hits[0][1] == pytest.approx(1.0)
    assert names(cigar_trigram_neighbours("COHIBA SIGLO VI", k=1)) == ["Cohiba Siglo VI"]


@pytest.mark.parametrize(
    "query", ["montecristo no 2", "Montecristo N°2", "montecristo #2", "Montecristo No. 2"]
)
def test_montecristo_no_2_before_no_4(habanos, query):
    ranked = names(cigar_trigram_neighbours(query, k=10))
    assert ranked[0] == "Montecristo No.2"
    assert ranked.index("Montecristo No.2") < ranked.index("Montecristo No.4")


def test_accents_do_not_matter(habanos):
    assert names(cigar_trigram_neighbours("partagas serie d 4", k=1)) == ["Partagás Serie D No.4"]
    assert names(cigar_trigram_neighbours("ramon allones specially selected", k=1)) == [
        "Ramón Allones Specially Selected"
    ]


def test_trigram_neighbours_respect_k_queryset_and_empty_query(habanos):
    assert len(cigar_trigram_neighbours("cohiba", k=3)) == 3
    only_montecristo = Cigar.objects.filter(line__brand__name="Montecristo")
    ranked = names(cigar_trigram_neighbours("cohiba siglo 6", k=5, queryset=only_montecristo))
    assert ranked
    assert all(name.startswith("Montecristo") for name in ranked)
    assert cigar_trigram_neighbours("  ", k=5) == []
    with pytest.raises(ValueError, match="k must be"):
        cigar_trigram_neighbours("x", k=0)


def test_trigram_k_nearest_is_served_by_the_gist_index(habanos):
    sql, params = trigram_neighbours_queryset("cohiba siglo 6", k=30).query.sql_with_params()
    with connection.cursor() as cursor:
        # Too few rows for the planner to prefer an index on its own: forbid the seq scan.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "cigar_search_name_trgm_gist" in plan
    # The index returns rows in distance order: at most an incremental sort of ties by id.
    assert not re.search(r"(?<!Incremental )Sort\s+\(", plan)


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = reciprocal_rank_fusion([[(1, 0.9), (2, 0.8), (3, 0.7)], [(3, 0.9), (1, 0.8), (4, 0.1)]])
    assert [pk for pk, _ in fused] == [1, 3, 2, 4]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)


def test_reciprocal_rank_fusion_ties_share_a_rank():
    fused = dict(reciprocal_rank_fusion([[(1, 1.0), (2, 0.5), (3, 0.5), (4, 0.2)]]))
    assert fused[2] == fused[3] == pytest.approx(1 / 62)
    assert fused[4] == pytest.approx(1 / 64)


@pytest.fixture
def embedded_catalogue(catalogue):
    services.cigar_embed(mode="missing")
    return catalogue


def test_cigar_embed_fills_missing_vectors_with_the_model_name(embedded_catalogue):
    assert not Cigar.objects.filter(embedding__isnull=True).exists()
    assert set(Cigar.objects.values_list("embedding_model", flat=True)) == {embeddings.model_name()}
    assert services.cigar_embed(mode="missing").embedded == 0
    assert services.cigar_embed(mode="all").embedded == Cigar.objects.count()


def test_vector_neighbours_find_the_same_name_first(embedded_catalogue):
    siglo = Cigar.objects.get(full_name="Cohiba Siglo VI")
    vector = embeddings.embed_text(services.cigar_embedding_text(siglo))
    hits = cigar_vector_neighbours(vector, model=embeddings.model_name(), k=5)
    assert names(hits)[0] == "Cohiba Siglo VI"
    assert hits[0][1] == pytest.approx(1.0, abs=1e-4)
    assert [score for _, score in hits] == sorted((score for _, score in hits), reverse=True)
    assert cigar_vector_neighbours(vector, model="another-model", k=5) == []


def test_vector_k_nearest_is_served_by_the_hnsw_index(embedded_catalogue):
    vector = embeddings.embed_text("cohiba siglo 6")
    query = vector_neighbours_queryset(vector, model=embeddings.model_name(), k=10)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "cigar_embedding_hnsw" in plan


def test_hybrid_search_fuses_when_embeddings_exist(embedded_catalogue):
    assert embeddings_present()
    hits = cigar_search("cohiba siglo 6", k=5)
    assert names([(h.cigar_id,) for h in hits])[0] == "Cohiba Siglo VI"
    assert hits[0].trigram is not None
    assert hits[0].vector is not None
    trigram_only = cigar_search("cohiba siglo 6", k=5, use_vectors=False)
    assert all(hit.vector is None for hit in trigram_only)


def test_a_query_naming_a_brand_searches_that_brand(habanos):
    from catalogue.models import Brand
    from catalogue.search import brands_named_in

    cohiba = Brand.objects.get(name="Cohiba")
    assert brands_named_in("cohiba siglo 6") == [cohiba.pk]
    assert brands_named_in("siglo 6") == []
    romeo = Brand.objects.get(name="Romeo y Julieta")
    assert brands_named_in("ROMEO Y JULIETA churchills") == [romeo.pk]
    # "robustos" names no line: the whole brand's cigars, every word first, then the rest.
    result = cigar_search("cohiba robustos", k=50, use_vectors=False)
    found = names([(h.cigar_id,) for h in result])
    assert found[0] == "Cohiba Robustos"
    assert len(found) > 1
    assert all(name.startswith("Cohiba") for name in found)
    result = cigar_search("cohiba siglo 6", k=10, use_vectors=False)
    assert names([(h.cigar_id,) for h in result])[0] == "Cohiba Siglo VI"


def test_brand_aliases_and_new_brands_are_recognised(catalogue):
    from catalogue.search import brands_named_in

    upmann = services.brand_create(name="H. Upmann", aliases=["H.Upmann", "Upmann"])
    assert brands_named_in("upmann magnum 50") == [upmann.pk]
    assert brands_named_in("h upmann no 2") == [upmann.pk]


def test_a_query_naming_a_line_searches_that_line(habanos):
    from catalogue.models import Brand, CigarLine
    from catalogue.search import lines_named_in

    cohiba = Brand.objects.get(name="Cohiba")
    siglo = CigarLine.objects.get(brand=cohiba, name="Siglo")
    assert lines_named_in("cohiba siglo 6", brand_ids=[cohiba.pk]) == [siglo.pk]
    # The default line (named like the brand) never narrows the search.
    assert lines_named_in("cohiba robustos", brand_ids=[cohiba.pk]) == []
    hits = cigar_search("cohiba siglo 6", k=10, use_vectors=False)
    ranked = names([(h.cigar_id,) for h in hits])
    assert ranked[0] == "Cohiba Siglo VI"
    assert len(ranked) == 6
    assert all(name.startswith("Cohiba Siglo") for name in ranked)
    edmundo = names(
        [(h.cigar_id,) for h in cigar_search("montecristo edmundo", k=5, use_vectors=False)]
    )
    assert set(edmundo) == {
        "Montecristo Edmundos",
        "Montecristo Double Edmundo",
        "Montecristo Petit Edmundo",
    }


def test_line_narrowing_falls_back_when_filters_exclude_the_line(habanos):
    only_robustos = Cigar.objects.filter(vitola_name="Robustos")
    hits = cigar_search("cohiba siglo robustos", k=5, queryset=only_robustos, use_vectors=False)
    assert names([(h.cigar_id,) for h in hits])[0] == "Cohiba Robustos"


def test_words_tsquery_prefixes_the_last_word_and_keeps_numbers_whole():
    from catalogue.search import any_word_tsquery, words_tsquery

    assert words_tsquery("edicion limitada 2019 robusto") == (
        "edicion & limitada & 2019 & robusto:*"
    )
    assert words_tsquery("no 2 no 2") == "no & 2"
    assert any_word_tsquery(["churchill", "tubo", "no", "2", "tubo"]) == (
        "churchill:* | tubo:* | no | 2"
    )


def test_word_matches_hold_every_word_numbers_whole(habanos):
    from catalogue.search import cigar_word_matches

    # "robusto" also finds "Robustos" (a prefix); "siglo 1" is Siglo I only, never VI.
    robustos = names(cigar_word_matches("cohiba robusto", k=50))
    assert "Cohiba Robustos" in robustos
    assert all("Robusto" in name for name in robustos)
    assert names(cigar_word_matches("cohiba siglo 1", k=50)) == ["Cohiba Siglo I"]
    assert cigar_word_matches("cohiba nonexistentword", k=50) == []
    assert cigar_word_matches("   ", k=50) == []


def test_search_over_the_catalogue_answers_with_the_cigars_holding_every_word(habanos):
    # No brand named: the three Edmundos hold the word ("edmundo" begins "edmundos").
    ranked = names([(h.cigar_id,) for h in cigar_search("edmundo", k=10, use_vectors=False)])
    assert set(ranked) == {
        "Montecristo Edmundos",
        "Montecristo Double Edmundo",
        "Montecristo Petit Edmundo",
    }


def test_search_in_a_brand_puts_every_word_first_then_tops_up_with_shared_words(habanos):
    # Montecristo named, no line: No.2 holds every word; the top-up brings the brand's
    # cigars sharing a word ("no"), so No.4 follows; a Cohiba never appears.
    ranked = names(
        [(h.cigar_id,) for h in cigar_search("montecristo no 2", k=10, use_vectors=False)]
    )
    assert ranked[0] == "Montecristo No.2"
    assert "Montecristo No.4" in ranked
    assert all(name.startswith("Montecristo") for name in ranked)
    # Only the brand named: its cigars, all of them candidates, by similarity.
    cuabas = Cigar.objects.filter(line__brand__name="Cuaba").count()
    assert cuabas >= 3
    assert len(cigar_search("cuaba", k=50, use_vectors=False)) == cuabas


def test_a_misspelt_query_still_finds_its_cigar(habanos):
    # No word matches and no brand is recognised: the fuzzy trigram ranking answers.
    hits = cigar_search("montecrsto edmundso", k=5, use_vectors=False)
    assert "Montecristo" in names([(h.cigar_id,) for h in hits])[0]


def test_word_matches_are_served_by_the_words_index(habanos):
    from django.contrib.postgres.search import SearchQuery

    from catalogue.search import words_tsquery

    words = SearchQuery(words_tsquery("robusto"), search_type="raw", config="simple")
    queryset = Cigar.objects.filter(search_words=words).values_list("pk")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A small table: forbid the scans the planner would rather do (GIN is bitmap only).
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")
    assert "Bitmap Index Scan on cigar_search_words_gin" in plan


@pytest.mark.parametrize(
    "query",
    [
        "cohiba siglo 6",
        "cohiba",
        "montecristo no 2",
        "montecristo edmundo tubos",
        "partagas serie d 4",
        "hoyo de monterrey epicure 2",
        "bolivar robsto",  # a typo in a named brand: the block's nearest names
        "romeo y julieta",
    ],
)
def test_the_whole_catalogue_statements_rank_like_the_orm_built_ones(habanos, query):
    """Unfiltered searches run statements written once (catalogue/search/hybrid.py,
    catalogue/selectors.py); narrowed ones compile the same through the ORM."""
    from catalogue.selectors import _rows_by_id

    whole = cigar_search(query, k=12, use_vectors=False)
    narrowed = cigar_search(query, k=12, queryset=Cigar.objects.all(), use_vectors=False)
    assert whole
    assert [(h.cigar_id, h.score) for h in whole] == [(h.cigar_id, h.score) for h in narrowed]
    ids = [h.cigar_id for h in whole]
    by_id = {row["id"]: row for row in _rows_by_id(ids, None)}
    orm = {row["id"]: row for row in _rows_by_id(ids, Cigar.objects.all())}
    assert by_id == orm
    assert set(by_id) == set(ids)
