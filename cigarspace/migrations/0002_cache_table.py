"""The shared cache's table (settings.CACHES, ``cigarspace/cache.py``), UNLOGGED.

The kernel owns the cache, so the kernel's migrations create its table. Until this
migration, ``accounts`` 0003 and 0004 did it (throttle counters were the cache's first
user); those two are now empty and kept only so that the migration graph of existing
databases stays valid.

Both steps are idempotent, so a database that already ran the old accounts migrations
passes through this one unchanged: ``createcachetable`` skips a table that exists, and
``ALTER TABLE … SET UNLOGGED`` on an unlogged table does nothing. Nothing to do when the
cache is Redis (no table).

Why UNLOGGED: every API request writes its throttle counter there. An unlogged table
writes no WAL, so those commits neither wait for a WAL flush nor fill the WAL; what it
loses — the table is emptied after a crash and is not replicated — is exactly what a
cache may lose.
"""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def _cache_tables() -> list[str]:
    return [
        cache["LOCATION"]
        for cache in settings.CACHES.values()
        if cache["BACKEND"].endswith(("DatabaseCache", "PostgresCache"))
    ]


def create_cache_tables(apps, schema_editor) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)
    set_persistence(schema_editor, "UNLOGGED")


def set_logged(apps, schema_editor) -> None:
    set_persistence(schema_editor, "LOGGED")


def set_persistence(schema_editor, persistence: str) -> None:
    quote = schema_editor.connection.ops.quote_name
    existing = set(schema_editor.connection.introspection.table_names())
    for table in _cache_tables():
        if table in existing:
            schema_editor.execute(f"ALTER TABLE {quote(table)} SET {persistence}")


class Migration(migrations.Migration):
    dependencies = [
        ("cigarspace", "0001_extensions"),
    ]

    operations = [migrations.RunPython(create_cache_tables, set_logged, elidable=True)]
