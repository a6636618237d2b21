"""Cigar embeddings: the text a vector describes, and batched (re)computation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q

from catalogue.models import (
    Cigar,
)
from catalogue.naming import fold, search_key
from catalogue.search import forget_embeddings_present
from catalogue.search_cache import forget_search_results
from cigarspace import embeddings

# --- embeddings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EmbedResult:
    embedded: int
    model: str


def cigar_embedding_text(cigar: Cigar) -> str:
    """What the vector describes: the full name, and its normalised key when it differs.

    The key puts "Siglo VI" and "siglo 6" in the same text, so that a query written with
    Arabic numerals (embedded through ``search.query_embedding_text``) lands on the
    right vitola; measured on the Siglo and Montecristo numbers, the name alone does not.
    """
    key = search_key(cigar.full_name)
    return cigar.full_name if key == fold(cigar.full_name) else f"{cigar.full_name} ({key})"


def cigar_embed(
    *,
    mode: str = "missing",
    cigar_ids: Iterable[int] | None = None,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> EmbedResult:
    """(Re)compute cigar embeddings in batches, each batch in its own transaction.

    ``missing``: cigars without a vector, or with one from another model (a name change
    clears the vector, so changed cigars are missing ones); ``all``: every cigar.
    """
    if mode not in ("missing", "all"):
        raise ValueError(f"mode must be 'missing' or 'all', not {mode!r}")
    model = embeddings.model_name()
    queryset = Cigar.objects.all()
    if cigar_ids is not None:
        queryset = queryset.filter(pk__in=list(cigar_ids))
    if mode == "missing":
        queryset = queryset.filter(Q(embedding__isnull=True) | ~Q(embedding_model=model))
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), batch_size):
        chunk = list(Cigar.objects.filter(pk__in=ids[start : start + batch_size]).order_by("pk"))
        vectors = embeddings.embed_texts(
            [cigar_embedding_text(c) for c in chunk], batch_size=batch_size
        )
        embeddings.store_vectors(
            Cigar,
            [(cigar.pk, vector) for cigar, vector in zip(chunk, vectors, strict=True)],
            model=model,
        )
        done += len(chunk)
        forget_embeddings_present()
        forget_search_results()  # the vector side of cached rankings changed
        if progress is not None:
            progress(len(chunk))
    return EmbedResult(embedded=done, model=model)
