"""The schema as PostgreSQL sees it: read the catalogs, do not trust the migration files."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def _index_access_methods() -> dict[str, tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, t.relname, am.amname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_am am ON am.oid = i.relam
            JOIN pg_namespace n ON n.oid = i.relnamespace
            WHERE n.nspname = 'public'
            """
        )
        return {name: (table, am, definition) for name, table, am, definition in cursor.fetchall()}


def test_extensions_are_installed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        names = {row[0] for row in cursor.fetchall()}
    assert {"vector", "pg_trgm"} <= names


@pytest.mark.parametrize(
    ("table", "column", "access_method", "opclass"),
    [
        ("cigar", "embedding", "hnsw", "vector_cosine_ops"),
        ("customs_price_entry", "embedding", "hnsw", "vector_cosine_ops"),
        ("cigar", "full_name", "gin", "gin_trgm_ops"),
        ("cigar", "slug", "gin", "gin_trgm_ops"),
        ("brand", "name", "gin", "gin_trgm_ops"),
        ("cigar_line", "name", "gin", "gin_trgm_ops"),
        ("cigar", "full_name", "gist", "gist_trgm_ops"),
    ],
)
def test_search_indexes_exist_with_the_right_access_method(table, column, access_method, opclass):
    matching = [
        (name, definition)
        for name, (idx_table, am, definition) in _index_access_methods().items()
        if idx_table == table and am == access_method and f"({column} {opclass}" in definition
    ]
    assert matching, f"no {access_method} index with {opclass} on {table}.{column}"


def test_tables_keep_the_seed_names():
    expected = {
        "brand",
        "cigar_line",
        "cigar",
        "blend_component",
        "cigar_package",
        "tasting_note",
        "source_record",
        "cigar_alias",
        "media_blob",
        "media_asset",
        "customs_source",
        "customs_publication",
        "customs_price_entry",
        "cigar_customs_match",
        "match_event",
        "api_user",
        "refresh_token",
    }
    assert expected <= set(connection.introspection.table_names())


def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)


def test_all_migrations_are_applied():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    assert plan == []


def test_the_four_sources_are_seeded():
    from customs.models import CustomsSource

    sources = {s.slug: s for s in CustomsSource.objects.all()}
    assert set(sources) >= {
        "fr-douane-opendata",
        "fr-legifrance-jorf",
        "fr-legifrance-dila",
        "ch-ofdf",
    }
    assert sources["ch-ofdf"].discovery_enabled is False
    assert sources["ch-ofdf"].currency == "CHF"
    assert sources["fr-douane-opendata"].discovery_enabled is True
    assert sources["fr-douane-opendata"].extractor_adapter


@pytest.mark.django_db(transaction=True)
def test_sources_come_back_after_a_flush():
    """Transactional tests flush every table; post_migrate ensures the default sources."""
    from django.core.management import call_command

    from customs.models import CustomsSource

    CustomsSource.objects.filter(slug="ch-ofdf").update(enabled=False)
    call_command("flush", "--no-input", verbosity=0)
    assert set(CustomsSource.objects.values_list("slug", flat=True)) >= {
        "fr-douane-opendata",
        "fr-legifrance-jorf",
        "fr-legifrance-dila",
        "ch-ofdf",
    }


def test_ensuring_defaults_never_overwrites_an_operator_change():
    from customs.models import CustomsSource
    from customs.sources import sources_ensure_defaults

    CustomsSource.objects.filter(slug="ch-ofdf").update(enabled=False, notes="paused")
    assert sources_ensure_defaults() == []
    source = CustomsSource.objects.get(slug="ch-ofdf")
    assert (source.enabled, source.notes) == (False, "paused")
