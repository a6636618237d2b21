"""Create the table of the database cache that throttling counts in (settings.CACHES).

Throttle counters must be shared by every gunicorn worker, so they live in PostgreSQL
rather than in per-process memory. ``createcachetable`` only creates the tables of
configured database caches and skips existing ones, so this is a no-op with Redis.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_key"),
    ]

    operations = [
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=True),
    ]
