"""Cigar search: trigram and vector k-nearest neighbours, fused by reciprocal rank.

Shared by the catalogue API, the matching engine and the merchant crawler (they import
this module; it imports nothing above the catalogue).

- ``cigar_trigram_neighbours``: ``ORDER BY search_name <-> key LIMIT k`` on the GiST
  ``gist_trgm_ops`` index. GIN cannot serve distance ordering (a sequential scan, see
  reference/postgres-performance.md); the key is ``naming.search_key`` of the query so
  that "siglo 6" meets "Siglo VI" and "no 2" meets "No.2".
- ``cigar_vector_neighbours``: ``ORDER BY embedding <=> v LIMIT k`` on the HNSW index,
  with ``hnsw.ef_search`` raised to at least k (HNSW returns at most ef_search rows) and
  restricted to vectors of the same model (vectors of two models are not comparable).
- ``cigar_word_matches``: the cigars whose normalised name holds every word of the query
  (full-text GIN index; the last word may be the start of a longer one, numbers match
  whole), by similarity.
- ``cigar_search``: both lists fused by reciprocal-rank fusion (RRF, k=60), which needs no
  calibration between a trigram similarity and a cosine distance. Its trigram side puts
  the cigars holding every query word first: in a named brand or line, topped up with the
  fuzzy ranking when they are fewer than k; over the whole catalogue, the fuzzy ranking
  only when there are none. Over a large catalogue the GiST k-nearest scan visits many
  lossy pages when names share most of their trigrams (60 ms at 100,000 cigars) while
  the word index answers in a few milliseconds; typos still find their cigar through the
  fuzzy side.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramDistance,
    TrigramSimilarity,
)
from django.db import connection, transaction
from django.db.models import F, QuerySet
from pgvector.django import CosineDistance

from catalogue.models import Brand, Cigar, CigarLine
from catalogue.naming import search_key
from cigarspace import embeddings

RRF_K = 60
MAX_K = 200
_EMBEDDINGS_PRESENT_SECONDS = 60.0


def _bounded(k: int) -> int:
    if k < 1:
        raise ValueError("k must be at least 1")
    return min(int(k), MAX_K)


def cigar_trigram_neighbours(
    query: str, *, k: int = 30, queryset: QuerySet[Cigar] | None = None
) -> list[tuple[int, float]]:
    """The ``k`` cigars whose normalised name is nearest to ``query``: ``(id, similarity)``.

    ``queryset`` narrows the candidates (API filters); the GiST scan filters as it goes.
    """
    key = search_key(query)
    if not key:
        return []
    rows = trigram_neighbours_queryset(key, k=k, queryset=queryset)
    return [(pk, round(1.0 - float(distance), 6)) for pk, distance in rows]


def cigar_trigram_neighbours_in_brands(
    query: str,
    *,
    brand_ids: Sequence[int],
    line_ids: Sequence[int] = (),
    k: int = 30,
    queryset: QuerySet[Cigar] | None = None,
) -> list[tuple[int, float]]:
    """Like ``cigar_trigram_neighbours``, among the cigars of ``brand_ids`` only (or of
    ``line_ids`` only, when given: a named line narrows the block further).

    Blocking by brand: a brand holds a few thousand cigars at most, so reading them
    through the line index and sorting by similarity is cheaper than the GiST k-nearest
    scan over the whole catalogue (which visits many lossy index pages when names
    share most of their trigrams). ``similarity()`` in ORDER BY keeps the planner off
    the GiST distance ordering.
    """
    key = search_key(query)
    if not key or not brand_ids:
        return []
    base = queryset if queryset is not None else Cigar.objects.all()
    block = {"line_id__in": list(line_ids)} if line_ids else {"line__brand_id__in": list(brand_ids)}
    rows = (
        base.filter(**block)
        .annotate(similarity=TrigramSimilarity("search_name", key))
        .order_by("-similarity", "pk")
        .values_list("pk", "similarity")[: _bounded(k)]
    )
    return [(pk, round(float(similarity), 6)) for pk, similarity in rows]


def words_tsquery(key: str) -> str:
    """A raw tsquery holding every word of the normalised ``key``.

    The last word may be the start of a longer one (people search as they type:
    "cohiba robu" finds the Robustos), the others are whole words (an exact lexeme is one
    posting list; a prefix reads every word starting with it). Numbers are always whole:
    "2" must not find "2016".
    """
    words = list(dict.fromkeys(key.split()))  # search_key leaves only [0-9a-z]+ words
    last = len(words) - 1
    return " & ".join(
        f"{word}:*" if index == last and not word.isdigit() else word
        for index, word in enumerate(words)
    )


def any_word_tsquery(words: Sequence[str]) -> str:
    """A raw tsquery holding any of ``words`` (normalised): words of three letters or more
    may begin a longer one ("churchill" finds "churchills"), shorter ones and numbers are
    whole (a one-letter prefix would hold half the catalogue)."""
    return " | ".join(
        f"{word}:*" if len(word) >= 3 and not word.isdigit() else word
        for word in dict.fromkeys(words)
    )


def _ranked_by_similarity(
    queryset: QuerySet[Cigar], *, key: str, k: int
) -> list[tuple[int, float]]:
    rows = (
        queryset.annotate(similarity=TrigramSimilarity("search_name", key))
        .order_by("-similarity", "pk")
        .values_list("pk", "similarity")[: _bounded(k)]
    )
    return [(pk, round(float(similarity), 6)) for pk, similarity in rows]


def cigar_word_matches(
    query: str, *, k: int = 30, queryset: QuerySet[Cigar] | None = None
) -> list[tuple[int, float]]:
    """The ``k`` cigars most similar to ``query`` among those whose normalised name holds
    every word of it: ``(id, similarity)``. ``queryset`` narrows (a brand block, filters)."""
    key = search_key(query)
    if not key:
        return []
    base = queryset if queryset is not None else Cigar.objects.all()
    words = SearchQuery(words_tsquery(key), search_type="raw", config="simple")
    return _ranked_by_similarity(base.filter(search_words=words), key=key, k=k)


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
    # reads their stored words instead.
    most_shared = (
        block.annotate(shared=SearchRank(F("search_words"), shared))
        .order_by("-shared", "pk")
        .values("pk")[: max(4 * k, 100)]
    )
    return _ranked_by_similarity(Cigar.objects.filter(pk__in=most_shared), key=key, k=k)


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
    blocks: list[dict] = []
    brand_ids = brands_named_in(query)
    if brand_ids:
        line_ids = lines_named_in(query, brand_ids=brand_ids)
        if line_ids:
            blocks.append({"brand_ids": brand_ids, "line_ids": line_ids})
        blocks.append({"brand_ids": brand_ids})
    blocks.append({})  # the whole catalogue (as narrowed by the caller's filters)
    key = search_key(query)
    for block in blocks:
        if "line_ids" in block:
            words = cigar_word_matches(
                query, k=k, queryset=base.filter(line_id__in=block["line_ids"])
            )
            if len(words) >= k:
                return words
            # A line holds a few hundred cigars: ranking them all is cheap.
            fuzzy = cigar_trigram_neighbours_in_brands(query, k=k, queryset=queryset, **block)
        elif block:
            # The brand's line ids, not a join: with a join the planner re-reads the word
            # index once per line.
            narrowed = base.filter(line_id__in=brand_line_ids(block["brand_ids"]))
            words = cigar_word_matches(query, k=k, queryset=narrowed)
            if len(words) >= k:
                return words
            fuzzy = _brand_block_top_up(key, brand_ids=block["brand_ids"], block=narrowed, k=k)
        else:
            # Over the whole catalogue, the cigars holding every word are the answer; the
            # GiST k-nearest scan (tens of ms at 100,000 cigars) only runs when there are
            # none — a misspelt or foreign word.
            words = cigar_word_matches(query, k=k, queryset=queryset)
            if words:
                return words
            fuzzy = cigar_trigram_neighbours(query, k=k, queryset=queryset)
        ranked = _words_first(words, fuzzy, k)
        if ranked:
            return ranked
    return []


@dataclass(frozen=True)
class _BrandKeys:
    brand_id: int
    keys: list[str]  # normalised name and aliases
    lines: list[tuple[int, str]]  # (line id, normalised name), the default line left out
    line_ids: list[int]  # every line, the default one included


_brand_keys: tuple[float, list[_BrandKeys]] | None = None
_BRAND_KEYS_SECONDS = 60.0


def _brand_key_list() -> list[_BrandKeys]:
    """Normalised brand and line names, kept a minute per process: they change rarely,
    and every search reads them."""
    global _brand_keys
    now = time.monotonic()
    if _brand_keys is None or now - _brand_keys[0] > _BRAND_KEYS_SECONDS:
        lines: dict[int, list[tuple[int, str]]] = {}
        for line_id, brand_id, name in CigarLine.objects.values_list("pk", "brand_id", "name"):
            lines.setdefault(brand_id, []).append((line_id, search_key(name)))
        keys = []
        for pk, name, aliases in Brand.objects.values_list("pk", "name", "aliases"):
            names = [name, *(a for a in (aliases or []) if isinstance(a, str))]
            brand_keys = sorted({search_key(n) for n in names if search_key(n)})
            own_lines = [
                (lid, key) for lid, key in lines.get(pk, []) if key and key != search_key(name)
            ]
            all_lines = [lid for lid, _ in lines.get(pk, [])]
            keys.append(_BrandKeys(pk, brand_keys, own_lines, all_lines))
        _brand_keys = (now, keys)
    return _brand_keys[1]


def brand_line_ids(brand_ids: Sequence[int]) -> list[int]:
    """Every line of ``brand_ids`` (as this process last read them: within a minute, or
    at once after a write in this process)."""
    wanted = set(brand_ids)
    return [line_id for b in _brand_key_list() if b.brand_id in wanted for line_id in b.line_ids]


def forget_brand_keys() -> None:
    """Drop this process's brand and line keys (the services call it after a write)."""
    global _brand_keys
    _brand_keys = None


def _named(key: str, padded_query: str) -> bool:
    return f" {key} " in padded_query


def brands_named_in(query: str) -> list[int]:
    """Ids of the brands whose name (or an alias) appears as whole words in ``query``."""
    padded = f" {search_key(query)} "
    return [b.brand_id for b in _brand_key_list() if any(_named(k, padded) for k in b.keys)]


def lines_named_in(query: str, *, brand_ids: Sequence[int]) -> list[int]:
    """Ids of the lines of ``brand_ids`` whose name appears as whole words in ``query``
    ("cohiba siglo 6" → Cohiba's Siglo line); a brand's default line never counts."""
    padded = f" {search_key(query)} "
    wanted = set(brand_ids)
    return [
        line_id
        for b in _brand_key_list()
        if b.brand_id in wanted
        for line_id, key in b.lines
        if _named(key, padded)
    ]


def trigram_neighbours_queryset(
    key: str, *, k: int = 30, queryset: QuerySet[Cigar] | None = None
) -> QuerySet:
    """The k-nearest query itself (already normalised ``key``), for EXPLAIN in bench/tests."""
    base = queryset if queryset is not None else Cigar.objects.all()
    return (
        base.annotate(distance=TrigramDistance("search_name", key))
        .order_by("distance", "pk")
        .values_list("pk", "distance")[: _bounded(k)]
    )


def cigar_vector_neighbours(
    vector: Sequence[float],
    *,
    model: str,
    k: int = 30,
    queryset: QuerySet[Cigar] | None = None,
    exclude_ids: Sequence[int] = (),
) -> list[tuple[int, float]]:
    """The ``k`` cigars nearest to ``vector`` by cosine: ``(id, cosine similarity)``."""
    k = _bounded(k)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # SET LOCAL lasts until the end of this transaction only.
            cursor.execute("SET LOCAL hnsw.ef_search = %s", [max(k, 40)])
        rows = list(
            vector_neighbours_queryset(
                vector, model=model, k=k, queryset=queryset, exclude_ids=exclude_ids
            )
        )
    return [(pk, round(1.0 - float(distance), 6)) for pk, distance in rows]


def vector_neighbours_queryset(
    vector: Sequence[float],
    *,
    model: str,
    k: int = 30,
    queryset: QuerySet[Cigar] | None = None,
    exclude_ids: Sequence[int] = (),
) -> QuerySet:
    """The HNSW k-nearest query itself, for EXPLAIN in bench/tests."""
    base = queryset if queryset is not None else Cigar.objects.all()
    base = base.filter(embedding_model=model, embedding__isnull=False)
    if exclude_ids:
        base = base.exclude(pk__in=list(exclude_ids))
    return (
        base.annotate(distance=CosineDistance("embedding", list(vector)))
        .order_by("distance", "pk")
        .values_list("pk", "distance")[: _bounded(k)]
    )


_embeddings_present: dict[str, tuple[float, bool]] = {}


def embeddings_present(model: str | None = None) -> bool:
    """Whether any cigar has a vector of ``model``.

    Every search asks, so the answer is kept a minute per process (a query saved per
    request; a catalogue that just got its first vectors is fused a minute later).
    """
    model = model or embeddings.model_name()
    now = time.monotonic()
    cached = _embeddings_present.get(model)
    if cached is None or now - cached[0] > _EMBEDDINGS_PRESENT_SECONDS:
        present = Cigar.objects.filter(embedding_model=model).exists()
        _embeddings_present[model] = cached = (now, present)
    return cached[1]


def forget_embeddings_present() -> None:
    _embeddings_present.clear()


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
