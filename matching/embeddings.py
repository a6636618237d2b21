"""Batched (re)embedding of price entries and cigars for matching.

The model code lives in ``cigarspace.embeddings`` (the catalogue needs it too); cigars are
embedded by ``catalogue.services.cigar_embed`` (a name change clears a cigar's vector, so a
changed cigar is a "missing" one). Entries are embedded here, from the product name of
their label (pack and packaging left out, the normalised key appended like the cigars'
texts, so "N° 4" and "No.4" land together).

Modes: ``missing`` (no vector, or a vector of another model: changing the model
re-embeds), ``all`` (everything). The model name is stored beside every vector; vectors
of different models are never compared (``candidates`` filters on it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from catalogue.models import Cigar
from catalogue.naming import fold, search_key
from catalogue.services import cigar_embed
from cigarspace import embeddings
from customs.labels import parse_label
from customs.models import CustomsPriceEntry

MODES = ("missing", "all")


@dataclass(frozen=True)
class EmbedCounts:
    cigars: int
    entries: int
    model: str


def entry_embedding_text(raw_label: str) -> str:
    name = parse_label(raw_label).name or raw_label
    key = search_key(name)
    return name if key == fold(name) else f"{name} ({key})"


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")


def entries_to_embed(*, mode: str = "missing", entry_ids: Iterable[int] | None = None) -> QuerySet:
    _check_mode(mode)
    queryset = CustomsPriceEntry.objects.all()
    if entry_ids is not None:
        queryset = queryset.filter(pk__in=list(entry_ids))
    if mode == "missing":
        model = embeddings.model_name()
        queryset = queryset.filter(Q(embedding__isnull=True) | ~Q(embedding_model=model))
    return queryset


def cigars_to_embed(*, mode: str = "missing") -> QuerySet:
    _check_mode(mode)
    queryset = Cigar.objects.all()
    if mode == "missing":
        model = embeddings.model_name()
        queryset = queryset.filter(Q(embedding__isnull=True) | ~Q(embedding_model=model))
    return queryset


def entries_embed(
    *,
    mode: str = "missing",
    entry_ids: Iterable[int] | None = None,
    batch_size: int = 128,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Embed price entries in batches, each batch written in its own transaction."""
    model = embeddings.model_name()
    ids = list(
        entries_to_embed(mode=mode, entry_ids=entry_ids).order_by("pk").values_list("pk", flat=True)
    )
    done = 0
    for start in range(0, len(ids), batch_size):
        chunk = list(
            CustomsPriceEntry.objects.filter(pk__in=ids[start : start + batch_size])
            .only("pk", "raw_label", "new_label")
            .order_by("pk")
        )
        vectors = embeddings.embed_texts(
            [entry_embedding_text(e.new_label or e.raw_label) for e in chunk],
            batch_size=batch_size,
        )
        embeddings.store_vectors(
            CustomsPriceEntry,
            [(entry.pk, vector) for entry, vector in zip(chunk, vectors, strict=True)],
            model=model,
        )
        done += len(chunk)
        if progress is not None:
            progress(len(chunk))
    return done


def embed_pending(
    *,
    mode: str = "missing",
    entry_ids: Iterable[int] | None = None,
    include_cigars: bool = True,
    progress: Callable[[int], None] | None = None,
) -> EmbedCounts:
    """Cigars, then entries: what a matching run needs before it compares vectors."""
    cigars = 0
    if include_cigars:
        cigars = cigar_embed(mode=mode, progress=progress).embedded
    entries = entries_embed(mode=mode, entry_ids=entry_ids, progress=progress)
    return EmbedCounts(cigars=cigars, entries=entries, model=embeddings.model_name())
