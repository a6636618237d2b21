"""Django for a benchmark script: a dedicated database on the embedded server (or
DATABASE_URL's), started if needed and migrated."""

from __future__ import annotations

import os


def bench_django(database: str, *, migrate: bool = True, environ: dict[str, str] | None = None):
    """Set up Django on ``database``; ``environ``: settings the benchmark forces."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cigarspace.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["CIGARSPACE_DB_NAME"] = database
    os.environ.update(environ or {})
    import django

    django.setup()
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "cigarspace.db.embedded":
        from cigarspace import embedded_db

        embedded_db.ensure_running(settings.CIGARSPACE_DATA_DIR, database=database)
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, skip_checks=True)
