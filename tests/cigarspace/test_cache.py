"""The shared cache (cigarspace.cache.PostgresCache): Django's database cache semantics,
writes in one upsert, culling now and then."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.base import InvalidCacheBackendError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cigarspace.cache import PostgresCache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cigarspace_cache")
        return cursor.fetchone()[0]


def test_the_configured_cache_is_the_postgres_one():
    assert isinstance(caches["default"], PostgresCache)


def test_set_then_get_and_overwrite():
    cache.set("throttle", [1.5, 2.5], 60)
    assert cache.get("throttle") == [1.5, 2.5]
    cache.set("throttle", {"again": True}, 60)
    assert cache.get("throttle") == {"again": True}
    assert _rows() == 1


def test_a_write_is_one_statement():
    cache.set("warm", 1, 60)
    with CaptureQueriesContext(connection) as queries:
        cache.set("warm", 2, 60)
    # One upsert, except on the rare write that also checks the table size.
    assert len(queries) in (1, 2)
    assert queries[0]["sql"].startswith('INSERT INTO "cigarspace_cache"')
    assert "ON CONFLICT" in queries[0]["sql"]


def test_expired_values_are_not_returned():
    cache.set("brief", "value", 1)
    time.sleep(1.1)
    assert cache.get("brief", "gone") == "gone"


def test_none_timeout_never_expires_and_zero_expires_at_once():
    cache.set("forever", "value", None)
    cache.set("never", "value", 0)
    assert cache.get("forever") == "value"
    assert cache.get("never") is None


def test_add_and_touch_keep_django_semantics():
    assert cache.add("key", "first", 60) is True
    assert cache.add("key", "second", 60) is False
    assert cache.get("key") == "first"
    assert cache.touch("key", 120) is True
    assert cache.touch("missing", 120) is False


def test_a_write_in_a_rolled_back_transaction_is_rolled_back():
    def write_then_fail() -> None:
        with transaction.atomic():
            cache.set("doomed", "value", 60)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert cache.get("doomed") is None


def test_culling_keeps_the_table_near_max_entries(settings):
    settings.CACHES = {
        **settings.CACHES,
        "tiny": {
            "BACKEND": "cigarspace.cache.PostgresCache",
            "LOCATION": "cigarspace_cache",
            "OPTIONS": {"MAX_ENTRIES": 10, "CULL_EVERY": 1, "CULL_FREQUENCY": 2},
        },
    }
    try:
        tiny = caches.create_connection("tiny")
    except InvalidCacheBackendError:  # pragma: no cover - a broken settings override
        pytest.fail("the tiny cache could not be created")
    for index in range(40):
        tiny.set(f"key-{index}", index, 60)
    # Culled whenever the count exceeds 10: never more than 11 rows, never emptied.
    assert 1 <= _rows() <= 11
    assert tiny.get("key-39") == 39


def test_the_cache_table_is_unlogged():
    # Written on every request: no WAL for it (the kernel's migration 0002_cache_table).
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'cigarspace_cache'")
        assert cursor.fetchone() == ("u",)


def test_the_kernels_cache_migration_changes_nothing_where_the_table_exists():
    """Databases that ran the former accounts migrations already have the table: the
    kernel's migration must pass over it (create if missing, unlogged either way)."""
    from importlib import import_module

    migration = import_module("cigarspace.migrations.0002_cache_table")
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO cigarspace_cache VALUES ('kept', 'v', now() + interval '1 h')")
    with connection.schema_editor() as editor:
        migration.create_cache_tables(None, editor)
        migration.create_cache_tables(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'cigarspace_cache'")
        assert cursor.fetchone() == ("u",)
        cursor.execute("SELECT value FROM cigarspace_cache WHERE cache_key = 'kept'")
        assert cursor.fetchone() == ("v",)


def test_the_accounts_cache_migrations_are_kept_empty():
    from importlib import import_module

    for name in ("0003_cache_table", "0004_cache_table_unlogged"):
        assert import_module(f"accounts.migrations.{name}").Migration.operations == []
