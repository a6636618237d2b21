"""Trigram and word search over cigar names (see the package docstring)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.postgres.search import SearchQuery, TrigramDistance, TrigramSimilarity
from django.db.models import QuerySet

from catalogue.models import Cigar
from catalogue.naming import search_key

MAX_K = 200


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
