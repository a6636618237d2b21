"""Formerly: make the shared cache's table UNLOGGED. Now empty.

``cigarspace`` 0002_cache_table creates the table UNLOGGED (the kernel owns the cache).
This file stays, with no operation, so that existing databases, which recorded it as
applied, keep a valid migration graph (0005 depends on it).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_cache_table"),
    ]

    operations = []
