"""The search itself: blocks, words first, fuzzy top-up, fused with vectors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, QuerySet

from catalogue.models import Cigar
from catalogue.naming import search_key
from catalogue.search.brands import _brand_key_list, brand_line_ids, brands_named_in, lines_named_in
from catalogue.search.trigram import (
    _bounded,
    _ranked_by_similarity,
    any_word_tsquery,
    cigar_trigram_neighbours,
    cigar_word_matches,
)
from catalogue.search.vectors import cigar_vector_neighbours, embeddings_present
from cigarspace import embeddings

RRF_K = 60


def _brand_block_top_up(
    key: str, *, brand_ids: Sequence[int], block: QuerySet[Cigar], k: int
) -> list[tuple[int, float]]:
    """The fuzzy ranking of a named brand's cigars, in two steps.

    ``similarity()`` extracts the trigrams of every row it is given: over a big brand's
    every cigar that cost 15 to 40 ms at 100,000 cigars. So the brand's cigars are first
    ordered by how many of the query's words beyond the brand's own name they share
    (``ts_rank`` on the stored words: "padron 1964 torpedo" puts the Padróns with 1964
    and a Torpedo first), and only the best few hundred are ranked by similarity. A query
    naming only the brand ranks all of them.
    """
    brand_words = {
        word
        for brand in _brand_key_list()
        if brand.brand_id in brand_ids
        for brand_key in brand.keys
        for word in brand_key.split()
    }
    rest = [word for word in key.split() if word not in brand_words]
    if not rest:
        return _ranked_by_similarity(block, key=key, k=k)
    shared = SearchQuery(any_word_tsquery(rest), search_type="raw", config="simple")
    # No "@@" filter on purpose: the planner would intersect the word index's bitmap of
    # the whole catalogue with each line's, the slow part; ranking the block's rows
    # reads their stored words instead, from the covering index cigar_line_words_cover
    # (an index-only scan: the block's rows lie all over the table).
    most_shared = (
        block.annotate(shared=SearchRank(F("search_words"), shared))
        .order_by("-shared", "pk")
        .values_list("pk", "search_name")[: max(4 * k, 100)]
    )
    return _similarity_ranking_of(most_shared, key=key, k=k)


def _similarity_ranking_of(rows: QuerySet, *, key: str, k: int) -> list[tuple[int, float]]:
    """The ``k`` of ``rows`` (a query selecting a cigar's id and search name, in that
    order) most similar to ``key``.

    Ranked over the rows as selected (``SELECT … FROM (rows)``): joining them back to the
    cigar table by id would read a table page per row, what the covering index avoided.
    """
    sql, params = rows.query.sql_with_params()
    ranking = (
        f"SELECT t.id, similarity(t.search_name, %s) FROM ({sql}) AS t(id, search_name) "  # noqa: S608 - the ORM's own SQL
        "ORDER BY 2 DESC, 1 ASC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(ranking, [key, *params, _bounded(k)])
        return [(pk, round(float(similarity), 6)) for pk, similarity in cursor.fetchall()]


def _words_first(
    words: list[tuple[int, float]], fuzzy: list[tuple[int, float]], k: int
) -> list[tuple[int, float]]:
    seen = {pk for pk, _ in words}
    return (words + [(pk, score) for pk, score in fuzzy if pk not in seen])[:k]


def _trigram_side(query: str, *, k: int, queryset: QuerySet[Cigar] | None) -> list:
    """The trigram ranking of ``cigar_search``: narrowest block first (a named line, then a
    named brand, then the catalogue). In a line or brand, the cigars holding every query
    word come first, topped up by the block's fuzzy ranking when they are fewer than ``k``
    (a few thousand rows at most: cheap). Over the catalogue, the cigars holding every
    word, else the fuzzy k-nearest."""
    base = queryset if queryset is not None else Cigar.objects.all()
    key = search_key(query)
    # (line ids, the brands whose words the top-up leaves out; None: rank the whole block)
    blocks: list[tuple[list[int], list[int] | None]] = []
    brand_ids = brands_named_in(query)
    if brand_ids:
        named_lines = lines_named_in(query, brand_ids=brand_ids)
        if named_lines:
            blocks.append((named_lines, None))  # a line: a few hundred cigars
        blocks.append((brand_line_ids(brand_ids), brand_ids))
    for line_ids, brands in blocks:
        narrowed = base.filter(line_id__in=line_ids)
        words = cigar_word_matches(query, k=k, queryset=narrowed)
        if len(words) >= k:
            return words
        if brands is None:
            fuzzy = _ranked_by_similarity(narrowed, key=key, k=k)
        else:
            fuzzy = _brand_block_top_up(key, brand_ids=brands, block=narrowed, k=k)
        ranked = _words_first(words, fuzzy, k)
        if ranked:
            return ranked
    # Over the whole catalogue, the cigars holding every word are the answer; the GiST
    # k-nearest scan (tens of ms at 100,000 cigars) only runs when there are none — a
    # misspelt or foreign word.
    words = cigar_word_matches(query, k=k, queryset=queryset)
    return words or cigar_trigram_neighbours(query, k=k, queryset=queryset)


@dataclass(frozen=True)
class SearchHit:
    cigar_id: int
    score: float
    trigram: float | None
    vector: float | None


def _competition_ranks(scored: Sequence[tuple[int, float]]) -> list[tuple[int, int]]:
    """Rank 1, 2, 2, 4…: equal scores share a rank (five Siglos equally similar to
    "siglo 6" must not be ranked 2 to 6 by their ids)."""
    ranks, previous_score, previous_rank = [], None, 0
    for position, (item, score) in enumerate(scored, start=1):
        rank = previous_rank if score == previous_score else position
        ranks.append((item, rank))
        previous_score, previous_rank = score, rank
    return ranks


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[tuple[int, float]]], *, k: int = RRF_K
) -> list[tuple[int, float]]:
    """Fuse scored lists (best first): score(id) = Σ 1 / (k + rank).

    Ties in a list share a rank; ties in the fused score keep the first list's order.
    """
    scores: dict[int, float] = {}
    first_seen: dict[int, int] = {}
    for ranking in rankings:
        for item, rank in _competition_ranks(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
            first_seen.setdefault(item, len(first_seen))
    return sorted(scores.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))


def query_embedding_text(query: str) -> str:
    """Queries are embedded in their normalised form (see services.cigar_embedding_text)."""
    return search_key(query)


def cigar_search(
    query: str,
    *,
    k: int = 30,
    queryset: QuerySet[Cigar] | None = None,
    use_vectors: bool | None = None,
) -> list[SearchHit]:
    """Hybrid search: trigram neighbours, fused with vector neighbours when they exist.

    A query that names a brand searches that brand's cigars only, and one that also
    names a line of it ("cohiba siglo 6") that line's cigars only (each step falls back
    to the wider one when it finds nothing); cigars holding every word of the query come
    first (see ``_trigram_side``). The vector side still searches the whole
    catalogue (it may suggest another brand's cigar, ranked after the block's own by the
    fusion).

    ``use_vectors=None`` uses vectors when the catalogue has some for the configured model.
    """
    k = _bounded(k)
    trigram = _trigram_side(query, k=k, queryset=queryset)
    if use_vectors is None:
        use_vectors = embeddings_present()
    vector: list[tuple[int, float]] = []
    if use_vectors and query.strip():
        vector = cigar_vector_neighbours(
            embeddings.embed_text(query_embedding_text(query)),
            model=embeddings.model_name(),
            k=k,
            queryset=queryset,
        )
    trigram_scores, vector_scores = dict(trigram), dict(vector)
    if not vector:
        fused = [(pk, score) for pk, score in trigram]
    else:
        fused = reciprocal_rank_fusion([trigram, vector])
    return [
        SearchHit(
            cigar_id=pk,
            score=round(score, 6),
            trigram=trigram_scores.get(pk),
            vector=vector_scores.get(pk),
        )
        for pk, score in fused[:k]
    ]
