"""Make the database cache's table UNLOGGED.

Every API request writes its throttle counter there. An unlogged table writes no WAL, so
those commits neither wait for a WAL flush nor fill the WAL; what it loses — the table
is emptied after a crash and is not replicated — is exactly what a cache may lose.
Nothing to do when the cache is Redis (no table).
"""

from django.conf import settings
from django.db import migrations


def _cache_tables() -> list[str]:
    return [
        cache["LOCATION"]
        for cache in settings.CACHES.values()
        if cache["BACKEND"].endswith(("DatabaseCache", "PostgresCache"))
    ]


def set_unlogged(apps, schema_editor, *, persistence: str = "UNLOGGED") -> None:
    quote = schema_editor.connection.ops.quote_name
    existing = set(schema_editor.connection.introspection.table_names())
    for table in _cache_tables():
        if table in existing:
            schema_editor.execute(f"ALTER TABLE {quote(table)} SET {persistence}")


def set_logged(apps, schema_editor) -> None:
    set_unlogged(apps, schema_editor, persistence="LOGGED")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_cache_table"),
    ]

    operations = [migrations.RunPython(set_unlogged, set_logged)]
