"""Reads of the catalogue. Search lives in ``catalogue.search``; these build the lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import JSONField, QuerySet
from django.http import Http404
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
    BlendComponent,
    Brand,
    Cigar,
    CigarLine,
    CigarPackage,
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
from cigarspace.db.json_rows import (
    instance_from_json,
    instance_from_values,
    instances_from_json,
    json_cursor,
    json_rows_subquery,
    set_prefetched,
)
from media.models import MediaBlob


def _names_a_filter(
    filterset_class, filters: Mapping[str, Any] | None, extra_names: Iterable[str] = ()
) -> bool:
    if not filters:
        return False
    names = set(filterset_class.base_filters).union(extra_names)
    return any(name in names for name in filters)


def _filtered(
    filterset_class,
    queryset: QuerySet,
    filters: Mapping[str, Any] | None,
    *,
    extra_names: Iterable[str] = (),
) -> QuerySet:
    if not _names_a_filter(filterset_class, filters, extra_names):
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


# What a cigar list shows (serializers.CigarSearchOutput), and nothing else. Lists load
# these as rows (dicts), not model instances: a page holds up to 200 cigars, and building
# a cigar, its line and its brand per row cost more than the query itself.
CIGAR_ROW_FIELDS = (
    "id",
    "slug",
    "full_name",
    *CIGAR_SUMMARY_COLUMNS,
    "line_id",
    "line__name",
    "line__slug",
    "line__brand_id",
    "line__brand__name",
    "line__brand__slug",
)


def cigar_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet:
    """Filtered cigars by full name (then id), as rows of ``CIGAR_ROW_FIELDS``."""
    queryset = _filtered_cigars(filters)
    if queryset is None:  # not "or": a queryset's truth value runs it
        queryset = Cigar.objects.all()
    return queryset.order_by("full_name", "id").values(*CIGAR_ROW_FIELDS)


def _filtered_cigars(filters: Mapping[str, Any] | None) -> QuerySet[Cigar] | None:
    """The cigars ``filters`` keep, or None when they name no filter (every cigar: the
    searches then run their statements written for the whole catalogue)."""
    extra_names = cigar_extra_filter_names()
    if not _names_a_filter(CigarFilter, filters, extra_names):
        return None
    return _filtered(CigarFilter, Cigar.objects.all(), filters, extra_names=extra_names)


@cache
def _rows_by_id_sql() -> str:
    """``CIGAR_ROW_FIELDS`` of the cigars whose ids are given, for unfiltered searches:
    written once rather than compiled by the ORM for every search (half a millisecond)."""
    quote = connection.ops.quote_name
    cigar_column = {f.attname: str(f.column) for f in Cigar._meta.concrete_fields}
    columns = {
        "id": "c.id",
        "slug": "c.slug",
        "full_name": "c.full_name",
        **{name: f"c.{quote(cigar_column[name])}" for name in CIGAR_SUMMARY_COLUMNS},
        "line_id": "c.line_id",
        "line__name": "l.name",
        "line__slug": "l.slug",
        "line__brand_id": "l.brand_id",
        "line__brand__name": "b.name",
        "line__brand__slug": "b.slug",
    }
    select = ", ".join(columns[name] for name in CIGAR_ROW_FIELDS)
    return (
        f"SELECT {select} FROM {quote(Cigar._meta.db_table)} c "  # noqa: S608 - model metadata
        f"JOIN {quote(CigarLine._meta.db_table)} l ON l.id = c.line_id "
        f"JOIN {quote(Brand._meta.db_table)} b ON b.id = l.brand_id "
        "WHERE c.id = ANY(%s::bigint[])"
    )


def _rows_by_id(ids: list[int], queryset: QuerySet[Cigar] | None) -> list[dict]:
    if queryset is not None:
        return list(queryset.filter(pk__in=ids).order_by().values(*CIGAR_ROW_FIELDS))
    with connection.cursor() as cursor:
        cursor.execute(_rows_by_id_sql(), [ids])
        return [dict(zip(CIGAR_ROW_FIELDS, row, strict=True)) for row in cursor.fetchall()]


def _in_rank_order(hits: list[tuple[int, float]], queryset: QuerySet[Cigar] | None) -> list[dict]:
    """Rows (``CIGAR_ROW_FIELDS``) of the ranked ids that ``queryset`` keeps (every cigar
    when None), each with its ``search_score``, in rank order."""
    by_id = {row["id"]: row for row in _rows_by_id([pk for pk, _ in hits], queryset)}
    ordered = []
    for pk, score in hits:
        row = by_id.get(pk)
        if row is not None:
            row["search_score"] = score
            ordered.append(row)
    return ordered


def cigar_search_list(
    *, query: str, filters: Mapping[str, Any] | None = None, k: int = 50
) -> list[dict]:
    """Filtered cigars ranked by hybrid search: rows of ``CIGAR_ROW_FIELDS``, each with
    its ``search_score``.

    The ranking (ids and scores) may come from this process's cache (catalogue.search_cache);
    the cigars are always read fresh.
    """
    narrowed = _filtered_cigars(filters)
    ranking = cached_ranking(
        key=search_key(query),
        filters=filters,
        k=k,
        model=embeddings.model_name() if embeddings_present() else "",
        cacheable_filters=set(CigarFilter.base_filters),
        compute=lambda: [
            (h.cigar_id, h.score) for h in cigar_search(query, k=k, queryset=narrowed)
        ],
    )
    return _in_rank_order(ranking, narrowed)


@cache
def _cigar_detail_sql() -> str:
    """The cigar, its line and brand, and its four relations, in one statement.

    Built once from the models' metadata; the relations' orders are the ones the API
    documents (blend by position, packages by size, the primary picture first, the
    newest tasting first).
    """
    quote = connection.ops.quote_name
    cigar_columns = ", ".join(f"c.{quote(f.column)}" for f in _detail_cigar_fields())
    blend = json_rows_subquery(
        BlendComponent, alias="bc", where="bc.cigar_id = c.id", order_by="bc.position, bc.id"
    )
    packages = json_rows_subquery(
        CigarPackage, alias="p", where="p.cigar_id = c.id", order_by="p.pack_size, p.id"
    )
    notes = json_rows_subquery(
        TastingNote,
        alias="n",
        where="n.cigar_id = c.id",
        order_by="n.tasted_on DESC NULLS FIRST, n.created_at DESC, n.id DESC",
    )
    # Identifiers from the models' metadata only: nothing here comes from a request.
    media = (
        "(SELECT COALESCE(json_agg(json_build_object('asset', row_to_json(m), 'blob', "  # noqa: S608
        "row_to_json(mb)) ORDER BY m.is_primary DESC, m.position, m.id), '[]'::json) "
        f"FROM {quote(MediaAsset._meta.db_table)} m "
        f"JOIN {quote(MediaBlob._meta.db_table)} mb ON mb.id = m.blob_id "
        "WHERE m.cigar_id = c.id)"
    )
    return (
        f"SELECT {cigar_columns}, l.id, l.name, l.slug, l.brand_id, b.id, b.name, b.slug, "  # noqa: S608
        f"{blend}, {packages}, {media}, {notes} "
        f"FROM {quote(Cigar._meta.db_table)} c "
        f"JOIN {quote(CigarLine._meta.db_table)} l ON l.id = c.line_id "
        f"JOIN {quote(Brand._meta.db_table)} b ON b.id = l.brand_id "
        "WHERE c.id = %s"
    )


@cache
def _detail_cigar_fields() -> tuple:
    # Everything but the embedding (768 floats) and the search columns, which the
    # detail never shows; left deferred, they load on access like .defer() would.
    skipped = {"embedding", "search_name", "search_words"}
    return tuple(f for f in Cigar._meta.concrete_fields if f.attname not in skipped)


def cigar_detail(*, pk: int) -> Cigar:
    """A cigar with its line, brand, blend, packages, media and tasting notes loaded.

    One statement instead of the five of ``select_related`` + ``prefetch_related``: the
    detail is the API's busiest read (see cigarspace/db/json_rows.py).
    """
    with json_cursor() as cursor:
        cursor.execute(_cigar_detail_sql(), [pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No cigar matches the given query.")
    fields = _detail_cigar_fields()
    values = list(row[: len(fields)])
    line_id, line_name, line_slug, brand_id, b_id, b_name, b_slug = row[len(fields) : -4]
    blend, packages, media, notes = row[-4:]
    for index, field in enumerate(fields):
        if isinstance(field, JSONField) and values[index] is not None:
            # Django's own row loading passes no expression either.
            values[index] = field.from_db_value(values[index], None, connection)  # type: ignore[arg-type]
    cigar = Cigar.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], values)
    line = instance_from_values(
        CigarLine, {"id": line_id, "name": line_name, "slug": line_slug, "brand_id": brand_id}
    )
    line.brand = instance_from_values(Brand, {"id": b_id, "name": b_name, "slug": b_slug})
    cigar.line = line
    set_prefetched(cigar, "blend", instances_from_json(BlendComponent, blend))
    set_prefetched(cigar, "packages", instances_from_json(CigarPackage, packages))
    assets = []
    for item in media:
        asset = instance_from_json(MediaAsset, item["asset"])
        asset.blob = instance_from_json(MediaBlob, item["blob"])
        assets.append(asset)
    set_prefetched(cigar, "media", assets)
    set_prefetched(cigar, "tasting_notes", instances_from_json(TastingNote, notes))
    return cigar


def cigar_get(*, pk: int) -> Cigar:
    return get_object_or_404(Cigar.objects.select_related("line__brand"), pk=pk)


def cigar_similar(*, cigar: Cigar, k: int = 10) -> tuple[str, list[dict]]:
    """Neighbours of a cigar: by vector when it has one, else by name trigrams.

    Returns the method used ("vector" or "trigram") and the neighbours as rows of
    ``CIGAR_ROW_FIELDS`` with their ``search_score``.
    """
    if cigar.embedding is not None and cigar.embedding_model:
        hits = cigar_vector_neighbours(
            list(cigar.embedding), model=cigar.embedding_model, k=k, exclude_ids=[cigar.pk]
        )
        return "vector", _in_rank_order(hits, None)
    hits = cigar_trigram_neighbours(
        cigar.full_name, k=k + 1, queryset=Cigar.objects.exclude(pk=cigar.pk)
    )
    return "trigram", _in_rank_order(hits[:k], None)


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
