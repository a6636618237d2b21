"""Reads of the catalogue. Search lives in ``catalogue.search``; these build the lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from catalogue.filters import (
    BrandFilter,
    CigarFilter,
    LineFilter,
    TastingNoteFilter,
    cigar_extra_filter_names,
)
from catalogue.models import (
    CIGAR_SUMMARY_COLUMNS,
    Brand,
    Cigar,
    CigarLine,
    MediaAsset,
    TastingNote,
)
from catalogue.naming import search_key
from catalogue.search import (
    cigar_search,
    cigar_trigram_neighbours,
    cigar_vector_neighbours,
    embeddings_present,
)
from catalogue.search_cache import cached_ranking
from cigarspace import embeddings


def _filtered(
    filterset_class,
    queryset: QuerySet,
    filters: Mapping[str, Any] | None,
    *,
    extra_names: Iterable[str] = (),
) -> QuerySet:
    names = set(filterset_class.base_filters).union(extra_names)
    if not filters or not any(name in names for name in filters):
        # Nothing to filter by (only q, a cursor, a page size): the filter form would
        # change nothing, and building it costs a millisecond of every such request.
        return queryset
    filterset = filterset_class(data=filters, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError({k: list(v) for k, v in filterset.errors.items()})
    return filterset.qs


def brand_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Brand]:
    return _filtered(BrandFilter, Brand.objects.order_by("name", "id"), filters)


def line_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[CigarLine]:
    queryset = CigarLine.objects.select_related("brand").order_by("brand__name", "name", "id")
    return _filtered(LineFilter, queryset, filters)


# What a cigar list shows (serializers.CigarSearchOutput), and nothing else: a page holds
# up to 200 rows, and loading the rest (the 768-float embedding, six timestamps, JSON
# columns) tripled the cost of building them.
CIGAR_LIST_COLUMNS = (
    "slug",
    "full_name",
    *CIGAR_SUMMARY_COLUMNS,
    "line__name",
    "line__slug",
    "line__brand__name",
    "line__brand__slug",
)


def cigar_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Cigar]:
    queryset = Cigar.objects.select_related("line__brand").only(*CIGAR_LIST_COLUMNS)
    return _filtered(
        CigarFilter,
        queryset.order_by("full_name", "id"),
        filters,
        extra_names=cigar_extra_filter_names(),
    )


def _in_rank_order(hits: list[tuple[int, float]], queryset: QuerySet[Cigar]) -> list[Cigar]:
    by_id = {c.pk: c for c in queryset.filter(pk__in=[pk for pk, _ in hits])}
    ordered = []
    for pk, score in hits:
        cigar = by_id.get(pk)
        if cigar is not None:
            cigar.search_score = score
            ordered.append(cigar)
    return ordered


def cigar_search_list(
    *, query: str, filters: Mapping[str, Any] | None = None, k: int = 50
) -> list[Cigar]:
    """Filtered cigars ranked by hybrid search; each carries a ``search_score``.

    The ranking (ids and scores) may come from the shared cache (catalogue.search_cache);
    the cigars are always read fresh.
    """
    base = cigar_list(filters=filters)
    ranking = cached_ranking(
        key=search_key(query),
        filters=filters,
        k=k,
        model=embeddings.model_name() if embeddings_present() else "",
        cacheable_filters=set(CigarFilter.base_filters),
        compute=lambda: [
            (h.cigar_id, h.score) for h in cigar_search(query, k=k, queryset=base.order_by())
        ],
    )
    return _in_rank_order(ranking, base)


def cigar_detail(*, pk: int) -> Cigar:
    queryset = (
        Cigar.objects.select_related("line__brand")
        .defer("embedding")
        .prefetch_related(
            "blend",
            "packages",
            Prefetch(
                "media",
                queryset=MediaAsset.objects.select_related("blob").order_by(
                    "-is_primary", "position", "id"
                ),
            ),
            "tasting_notes",
        )
    )
    return get_object_or_404(queryset, pk=pk)


def cigar_get(*, pk: int) -> Cigar:
    return get_object_or_404(Cigar.objects.select_related("line__brand"), pk=pk)


def cigar_similar(*, cigar: Cigar, k: int = 10) -> tuple[str, list[Cigar]]:
    """Neighbours of a cigar: by vector when it has one, else by name trigrams.

    Returns the method used ("vector" or "trigram") and the cigars with ``search_score``.
    """
    base = Cigar.objects.select_related("line__brand").defer("embedding")
    if cigar.embedding is not None and cigar.embedding_model:
        hits = cigar_vector_neighbours(
            list(cigar.embedding), model=cigar.embedding_model, k=k, exclude_ids=[cigar.pk]
        )
        return "vector", _in_rank_order(hits, base)
    hits = cigar_trigram_neighbours(
        cigar.full_name, k=k + 1, queryset=Cigar.objects.exclude(pk=cigar.pk)
    )
    return "trigram", _in_rank_order(hits[:k], base)


def tasting_note_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[TastingNote]:
    queryset = TastingNote.objects.select_related("cigar").order_by(
        "-tasted_on", "-created_at", "-id"
    )
    return _filtered(TastingNoteFilter, queryset, filters)


def tasting_note_get(*, pk: int) -> TastingNote:
    return get_object_or_404(TastingNote.objects.select_related("cigar"), pk=pk)


def brand_get(*, pk: int) -> Brand:
    return get_object_or_404(Brand, pk=pk)


def line_get(*, pk: int) -> CigarLine:
    return get_object_or_404(CigarLine.objects.select_related("brand"), pk=pk)
