"""Formerly: create the shared cache's table. Now empty.

The cache belongs to the kernel, whose migration ``cigarspace`` 0002_cache_table creates
it. This file stays, with no operation, because existing databases have it recorded as
applied and later accounts migrations depend on it: deleting it would break their
migration graph. The kernel's migration is idempotent, so on those databases it finds the
table already there and changes nothing.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_key"),
    ]

    operations = []
