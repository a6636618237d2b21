"""The search itself: blocks, words first, fuzzy top-up, fused with vectors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Length

from catalogue.models import Cigar
from catalogue.naming import search_key
from catalogue.search.brands import _brand_key_list, brand_line_ids, brands_named_in, lines_named_in
from catalogue.search.trigram import (
    _bounded,
    any_word_tsquery,
    cigar_trigram_neighbours,
    cigar_word_matches,
    words_tsquery,
)
from catalogue.search.vectors import cigar_vector_neighbours, embeddings_present
from cigarspace import embeddings

RRF_K = 60


def _block_ranking(
    line_ids: Sequence[int],
    *,
    key: str,
    rest: Sequence[str],
    k: int,
    queryset: QuerySet[Cigar] | None,
) -> list[tuple[int, float]]:
    """The ``k`` cigars of a block (the lines of a named brand or line), among
    ``queryset`` (every cigar when None), best matching ``key``, in one statement: those
    holding every word of the query first, then the others; each group by trigram
    similarity.

    ``similarity()`` extracts the trigrams of every row it is given, about 8 µs a row:
    over a big brand's every cigar, 20 ms at 100,000 cigars. So the block's rows are
    first ordered by what the stored words tell cheaply — holding every query word, then
    sharing more of ``rest`` (the query's words beyond the brand's or line's own name:
    "padron 1964 torpedo" puts the Padróns with 1964 and a Torpedo first), then the
    shorter name (among names holding the query's words, the shorter is the more
    similar) — and only the best 2k (50 at least) are ranked by similarity. Those rows come
    from the covering index cigar_line_words_cover (an index-only scan: a block's rows
    lie all over the table) and are ranked as selected, never joined back to the table.
    """
    every_word = words_tsquery(key)
    shared_words = any_word_tsquery(rest) if rest else None
    candidates = max(2 * k, 50)
    if queryset is None:
        # The whole catalogue (most searches: the API without filters, the merchants'
        # resolver): the statement below, written once, spares the ORM's compiling.
        sql = _BLOCK_CANDIDATES_SQL[shared_words is not None]
        params: list = [every_word, list(line_ids)]
        if shared_words is not None:
            params.append(shared_words)
        params.append(candidates)
    else:
        sql, params = _block_candidates(
            queryset.filter(line_id__in=list(line_ids)),
            every_word=every_word,
            shared_words=shared_words,
            limit=candidates,
        ).query.sql_with_params()
    ranking = (
        "SELECT t.id, similarity(t.search_name, %s) "  # noqa: S608 - our own SQL
        f"FROM ({sql}) AS t(id, search_name, has_all) "
        "ORDER BY t.has_all DESC, 2 DESC, 1 ASC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(ranking, [key, *params, _bounded(k)])
        return [(pk, round(float(similarity), 6)) for pk, similarity in cursor.fetchall()]


def _block_candidates(
    block: QuerySet[Cigar], *, every_word: str, shared_words: str | None, limit: int
) -> QuerySet:
    """``_block_ranking``'s candidates among a narrowed queryset: (id, search_name,
    has_all), best first. ``_BLOCK_CANDIDATES_SQL`` is the same for every cigar."""
    words = SearchQuery(every_word, search_type="raw", config="simple")
    candidates = block.annotate(
        has_all=ExpressionWrapper(Q(search_words=words), output_field=BooleanField())
    )
    order: list = ["-has_all"]
    if shared_words is not None:
        # No "@@" filter on the shared words on purpose: the planner would intersect the
        # word index's bitmap of the whole catalogue with the block's, the slow part.
        shared = SearchQuery(shared_words, search_type="raw", config="simple")
        candidates = candidates.annotate(shared=SearchRank(F("search_words"), shared))
        order.append("-shared")
    return candidates.order_by(*order, Length("search_name").asc(), "pk").values_list(
        "pk", "search_name", "has_all"
    )[:limit]


def _block_candidates_sql(*, ranked: bool) -> str:
    shared = "ts_rank(search_words, to_tsquery('simple', %s)) DESC, " if ranked else ""
    return (
        "SELECT id, search_name, search_words @@ to_tsquery('simple', %s) AS has_all "  # noqa: S608 - constant
        f"FROM {Cigar._meta.db_table} WHERE line_id = ANY(%s::bigint[]) "
        f"ORDER BY 3 DESC, {shared}length(search_name) ASC, id ASC LIMIT %s"
    )


# Without and with the shared-words ranking (a query naming only the brand has none).
_BLOCK_CANDIDATES_SQL = {
    False: _block_candidates_sql(ranked=False),
    True: _block_candidates_sql(ranked=True),
}


def _own_words(keys: Iterable[str]) -> set[str]:
    return {word for name_key in keys for word in name_key.split()}


def _trigram_side(query: str, *, k: int, queryset: QuerySet[Cigar] | None) -> list:
    """The trigram ranking of ``cigar_search``: narrowest block first (a named line, then a
    named brand, then the catalogue). In a line or brand, the cigars holding every query
    word come first, then the block's nearest names (``_block_ranking``: a few thousand
    rows at most, one statement). Over the catalogue, the cigars holding every word, else
    the fuzzy k-nearest."""
    key = search_key(query)
    words = key.split()
    brand_ids = brands_named_in(query)
    if brand_ids:
        brands = [b for b in _brand_key_list() if b.brand_id in brand_ids]
        brand_words = _own_words(brand_key for b in brands for brand_key in b.keys)
        named_lines = lines_named_in(query, brand_ids=brand_ids)
        # (line ids, the query's words beyond the block's own name)
        blocks: list[tuple[list[int], list[str]]] = []
        if named_lines:  # a line: a few hundred cigars
            line_words = _own_words(
                line_key for b in brands for line_id, line_key in b.lines if line_id in named_lines
            )
            blocks.append((named_lines, [w for w in words if w not in brand_words | line_words]))
        blocks.append((brand_line_ids(brand_ids), [w for w in words if w not in brand_words]))
        for line_ids, rest in blocks:
            ranked = _block_ranking(line_ids, key=key, rest=rest, k=k, queryset=queryset)
            if ranked:
                return ranked
    # Over the whole catalogue, the cigars holding every word are the answer; the GiST
    # k-nearest scan (tens of ms at 100,000 cigars) only runs when there are none — a
    # misspelt or foreign word.
    matches = cigar_word_matches(query, k=k, queryset=queryset)
    return matches or cigar_trigram_neighbours(query, k=k, queryset=queryset)


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
