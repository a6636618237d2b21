"""Search rankings kept a short while in each worker's memory.

A search costs a few milliseconds of database CPU (word index, then a similarity ranking
of a brand's cigars), and the same searches come back all day: the brands and their
best-known cigars. The ranking of a search — cigar ids and scores, never the cigars
themselves, which are read fresh — is kept ``CATALOGUE_SEARCH_CACHE_SECONDS`` (60 by
default; 0 turns caching off) under a key made of the normalised query, the filters, the
page size and the embedding model, in a bounded LRU of ``CATALOGUE_SEARCH_CACHE_ENTRIES``
per process.

In memory rather than in the shared cache: a shared cache costs a round trip to read
on every search and another to store every new ranking, more than half of what a
long-tail search costs, for rankings that are cheap to compute again in each worker.

Invalidation: every catalogue write replaces a generation token in the shared cache
(after commit, so a concurrent search cannot cache the old state under the new token),
and drops this process's rankings at once. Other processes read the token at most every
``CATALOGUE_SEARCH_CACHE_SYNC_SECONDS`` (1 by default): a write made elsewhere reaches
their rankings within that delay. Filters registered by other apps
(``has_official_price`` depends on matching decisions the catalogue never sees) are not
cached at all.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "catalogue:search:generation"
_UNCACHED_PARAMETERS = {"q", "page_size", "cursor", "format"}

Ranking = list[tuple[int, float]]

_lock = threading.Lock()  # gthread workers search from several threads
# ranking key -> (generation, expiry on the monotonic clock, ranking); oldest use first.
_rankings: OrderedDict[str, tuple[str, float, Ranking]] = OrderedDict()
_generation: tuple[str, float] | None = None  # (token, when it was read)


def _seconds() -> int:
    return int(getattr(settings, "CATALOGUE_SEARCH_CACHE_SECONDS", 60))


def _max_entries() -> int:
    return int(getattr(settings, "CATALOGUE_SEARCH_CACHE_ENTRIES", 5000))


def _sync_seconds() -> float:
    return float(getattr(settings, "CATALOGUE_SEARCH_CACHE_SYNC_SECONDS", 1.0))


def _current_generation() -> str:
    """The shared generation token, read at most every ``_sync_seconds()``."""
    global _generation
    now = time.monotonic()
    with _lock:
        known = _generation
    if known is not None and now - known[1] < _sync_seconds():
        return known[0]
    token = cache.get(GENERATION_KEY, "")
    with _lock:
        _generation = (token, now)
    return token


def _filter_items(filters: Mapping[str, Any] | None) -> list[tuple[str, list[str]]]:
    if not filters:
        return []
    lists = filters.lists() if hasattr(filters, "lists") else filters.items()
    items = []
    for name, values in lists:
        if name in _UNCACHED_PARAMETERS:
            continue
        values = values if isinstance(values, list | tuple) else [values]
        items.append((name, sorted(str(value) for value in values)))
    return sorted(items)


def ranking_key(*, key: str, filters: Mapping[str, Any] | None, k: int, model: str) -> str:
    payload = json.dumps([key, _filter_items(filters), k, model], ensure_ascii=True)
    return "catalogue:search:" + hashlib.sha256(payload.encode()).hexdigest()


def cached_ranking(
    *,
    key: str,
    filters: Mapping[str, Any] | None,
    k: int,
    model: str,
    cacheable_filters: set[str],
    compute: Callable[[], Ranking],
) -> Ranking:
    """The ranking of a search from this process's cache, else ``compute()``'d and kept.

    ``cacheable_filters``: the filter names whose results only catalogue writes change.
    """
    seconds = _seconds()
    used = {name for name, _ in _filter_items(filters)}
    if seconds <= 0 or not used <= cacheable_filters:
        return compute()
    ranking_cache_key = ranking_key(key=key, filters=filters, k=k, model=model)
    generation = _current_generation()
    now = time.monotonic()
    with _lock:
        stored = _rankings.get(ranking_cache_key)
        if stored is not None and stored[0] == generation and stored[1] > now:
            _rankings.move_to_end(ranking_cache_key)
            return list(stored[2])
    hits = compute()
    with _lock:
        _rankings[ranking_cache_key] = (generation, now + seconds, list(hits))
        _rankings.move_to_end(ranking_cache_key)
        while len(_rankings) > _max_entries():
            _rankings.popitem(last=False)
    return hits


def forget_local_rankings() -> None:
    """Drop this process's rankings and its copy of the token (they are read again)."""
    global _generation
    with _lock:
        _rankings.clear()
        _generation = None


def forget_search_results() -> None:
    """Invalidate every cached ranking once the current transaction commits: this
    process's at once, other processes' when they next read the token."""

    def bump() -> None:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
        forget_local_rankings()

    transaction.on_commit(bump)


def connect_signals() -> None:
    """Catalogue rows saved or deleted anywhere (services, admin, fixtures) invalidate."""
    from django.db.models.signals import post_delete, post_save

    from catalogue.models import BlendComponent, Brand, Cigar, CigarLine

    def receiver(sender, **kwargs) -> None:
        forget_search_results()

    # Names and brand aliases change rankings; cigars and their blend change filters.
    for model in (Brand, CigarLine, Cigar, BlendComponent):
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"search:{model}")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"search-d:{model}")
