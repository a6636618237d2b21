"""Vector k-nearest neighbours of cigars on the HNSW index."""

from __future__ import annotations

import time
from collections.abc import Sequence

from django.db import connection, transaction
from django.db.models import QuerySet
from pgvector.django import CosineDistance

from catalogue.models import Cigar
from catalogue.search.trigram import _bounded
from cigarspace import embeddings

_EMBEDDINGS_PRESENT_SECONDS = 60.0


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
