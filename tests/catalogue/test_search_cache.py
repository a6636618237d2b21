"""Cached search rankings (catalogue.search_cache): hits, keys, invalidation."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue import services
from catalogue.search_cache import GENERATION_KEY, forget_local_rankings, ranking_key
from catalogue.selectors import cigar_search_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.CATALOGUE_SEARCH_CACHE_SECONDS = 60
    settings.CATALOGUE_SEARCH_CACHE_SYNC_SECONDS = 0  # read the shared token every time
    cache.clear()
    forget_local_rankings()
    yield
    cache.clear()
    forget_local_rankings()


def _names(cigars) -> list[str]:
    return [c["full_name"] for c in cigars]


def _ranking_queries(query: str, filters: dict) -> int:
    """Queries that touch the cigar table to rank (not the final read of the rows)."""
    with CaptureQueriesContext(connection) as queries:
        cigar_search_list(query=query, filters=filters, k=10)
    return sum(1 for q in queries if "similarity" in q["sql"].lower() or "@@" in q["sql"])


def test_a_repeated_search_is_served_from_the_cache(catalogue, cached):
    first = cigar_search_list(query="montecristo no 2", filters={}, k=10)
    assert _ranking_queries("montecristo no 2", {}) == 0
    again = cigar_search_list(query="montecristo no 2", filters={}, k=10)
    assert _names(again) == _names(first)
    assert [c["search_score"] for c in again] == [c["search_score"] for c in first]
    # Another query, other filters or another page size are other rankings.
    assert _ranking_queries("montecristo no 4", {}) > 0
    assert _ranking_queries("montecristo no 2", {"strength": ["full"]}) > 0


def test_keys_ignore_paging_and_filter_order():
    a = ranking_key(
        key="cohiba", filters={"strength": ["full", "medium"], "cursor": "x"}, k=10, model=""
    )
    b = ranking_key(key="cohiba", filters={"strength": ["medium", "full"]}, k=10, model="")
    assert a == b
    assert a != ranking_key(key="cohiba", filters={}, k=10, model="")
    assert a != ranking_key(key="cohiba", filters={"strength": ["full", "medium"]}, k=20, model="")


def test_a_catalogue_write_invalidates_cached_rankings(
    catalogue, cached, django_capture_on_commit_callbacks
):
    before = _names(cigar_search_list(query="montecristo", filters={}, k=10))
    with django_capture_on_commit_callbacks(execute=True):
        line = services.line_default(brand=catalogue["cigars"]["no 2"].line.brand)
        services.cigar_create(line=line, vitola_name="Montecristo Nuevo 99")
    after = _names(cigar_search_list(query="montecristo", filters={}, k=10))
    assert "Montecristo Nuevo 99" not in before
    assert "Montecristo Nuevo 99" in after


def test_filters_of_other_apps_are_never_cached(catalogue, cached):
    from catalogue.filters import CigarFilter

    registered = set(CigarFilter().filters) - set(CigarFilter.base_filters)
    assert "has_official_price" in registered
    cigar_search_list(query="montecristo", filters={"has_official_price": "false"}, k=10)
    assert _ranking_queries("montecristo", {"has_official_price": "false"}) > 0


def test_a_cached_ranking_reads_the_cigars_fresh(catalogue, cached):
    cigar = catalogue["cigars"]["no 2"]
    cigar_search_list(query="montecristo no 2", filters={}, k=10)
    services.cigar_update(cigar=cigar, strength="mild")  # not committed: cache still valid
    first = cigar_search_list(query="montecristo no 2", filters={}, k=10)[0]
    assert first["id"] == cigar.pk
    assert first["strength"] == "mild"


def test_zero_seconds_turns_the_cache_off(catalogue, settings):
    settings.CATALOGUE_SEARCH_CACHE_SECONDS = 0
    cigar_search_list(query="montecristo no 2", filters={}, k=10)
    assert _ranking_queries("montecristo no 2", {}) > 0


def test_a_write_in_another_process_drops_the_rankings_once_the_token_is_read(
    catalogue, cached, settings
):
    cigar_search_list(query="montecristo no 2", filters={}, k=10)
    assert _ranking_queries("montecristo no 2", {}) == 0
    # Another process committed a catalogue write: it replaced the shared token.
    settings.CATALOGUE_SEARCH_CACHE_SYNC_SECONDS = 60
    cache.set(GENERATION_KEY, "written-elsewhere", None)
    # Within the sync delay this process still trusts the token it read...
    assert _ranking_queries("montecristo no 2", {}) == 0
    # ...and once the delay is over it reads the new one and ranks again.
    settings.CATALOGUE_SEARCH_CACHE_SYNC_SECONDS = 0
    assert _ranking_queries("montecristo no 2", {}) > 0
    assert _ranking_queries("montecristo no 2", {}) == 0


def test_the_least_recently_used_ranking_goes_first_when_full(catalogue, cached, settings):
    settings.CATALOGUE_SEARCH_CACHE_ENTRIES = 2
    for query in ("montecristo no 2", "montecristo no 4", "cohiba"):
        cigar_search_list(query=query, filters={}, k=10)
    assert _ranking_queries("cohiba", {}) == 0
    assert _ranking_queries("montecristo no 4", {}) == 0
    assert _ranking_queries("montecristo no 2", {}) > 0  # the oldest, dropped


def test_a_ranking_expires(catalogue, cached, settings, monkeypatch):
    import time

    cigar_search_list(query="montecristo no 2", filters={}, k=10)
    assert _ranking_queries("montecristo no 2", {}) == 0
    later = time.monotonic() + 61
    monkeypatch.setattr("catalogue.search_cache.time.monotonic", lambda: later)
    assert _ranking_queries("montecristo no 2", {}) > 0
