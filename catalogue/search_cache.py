"""Search rankings kept a short while in the shared cache.

A search costs a few milliseconds of database CPU (word index, then a similarity ranking
of a brand's cigars), and the same searches come back all day: the brands and their
best-known cigars. The ranking of a search — cigar ids and scores, never the cigars
themselves, which are read fresh — is kept ``CATALOGUE_SEARCH_CACHE_SECONDS`` (60 by
default; 0 turns caching off) under a key made of the normalised query, the filters, the
page size and the embedding model.

Every catalogue write replaces a generation token (after commit, so a concurrent search
cannot cache the old state under the new token); a cached ranking of another generation
is ignored. Token and ranking are read in one query. Filters registered by other apps
(``has_official_price`` depends on matching decisions the catalogue never sees) are not
cached at all.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "catalogue:search:generation"
_UNCACHED_PARAMETERS = {"q", "page_size", "cursor", "format"}


def _seconds() -> int:
    return int(getattr(settings, "CATALOGUE_SEARCH_CACHE_SECONDS", 60))


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
    compute: Callable[[], list[tuple[int, float]]],
) -> list[tuple[int, float]]:
    """The ranking of a search from the cache, else ``compute()``'d and stored.

    ``cacheable_filters``: the filter names whose results only catalogue writes change.
    """
    seconds = _seconds()
    used = {name for name, _ in _filter_items(filters)}
    if seconds <= 0 or not used <= cacheable_filters:
        return compute()
    ranking_cache_key = ranking_key(key=key, filters=filters, k=k, model=model)
    found = cache.get_many([GENERATION_KEY, ranking_cache_key])
    generation = found.get(GENERATION_KEY, "")
    stored = found.get(ranking_cache_key)
    if isinstance(stored, dict) and stored.get("generation") == generation:
        return [(int(pk), float(score)) for pk, score in stored["hits"]]
    hits = compute()
    cache.set(ranking_cache_key, {"generation": generation, "hits": hits}, seconds)
    return hits


def forget_search_results() -> None:
    """Invalidate every cached ranking once the current transaction commits."""
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, uuid.uuid4().hex, None))


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
