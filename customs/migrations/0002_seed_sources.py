"""Seed the four publication channels of docs/publication-formats.md.

Adding a country is adding its adapters and a migration like this one. The list below is
a frozen copy (migrations must not change with the code); customs.sources holds the
current list, ensured after every migrate.
"""

from django.db import migrations

SOURCES = [
    {
        "slug": "fr-douane-opendata",
        "name": "DGDDI open data — homologated tobacco retail prices (Maquette JORF)",
        "country": "FR",
        "currency": "EUR",
        "index_url": "https://www.douane.gouv.fr/la-douane/opendata/categories/tabacs-manufactures",
        "discovery_adapter": "douane_opendata_index",
        "extractor_adapter": "douane_ods",
        "enabled": True,
        "discovery_enabled": True,
        "carries_prices": True,
        "notes": "One ODS (and a PDF twin) per homologation edition; the channel that carries the prices.",
    },
    {
        "slug": "fr-legifrance-jorf",
        "name": "Légifrance API — homologation arrêtés in the Journal officiel",
        "country": "FR",
        "currency": "EUR",
        "index_url": "https://api.piste.gouv.fr/dila/legifrance/lf-engine-app",
        "discovery_adapter": "legifrance_search",
        "extractor_adapter": "legifrance_text",
        "enabled": True,
        "discovery_enabled": True,
        "carries_prices": False,
        "notes": "Legal provenance (NOR, JORFTEXT, ELI, JO number); needs PISTE OAuth2 credentials.",
    },
    {
        "slug": "fr-legifrance-dila",
        "name": "DILA open data — JORF bulk XML archives",
        "country": "FR",
        "currency": "EUR",
        "index_url": "https://echanges.dila.gouv.fr/OPENDATA/JORF/",
        "discovery_adapter": "dila_jorf_listing",
        "extractor_adapter": "dila_jorf_archive",
        "enabled": True,
        "discovery_enabled": True,
        "carries_prices": False,
        "notes": "The same texts in bulk tar.gz archives; streamed, resumable downloads.",
    },
    {
        "slug": "ch-ofdf",
        "name": "Switzerland (OFDF) — manual price import in CHF",
        "country": "CH",
        "currency": "CHF",
        "index_url": "",
        "discovery_adapter": "manual",
        "extractor_adapter": "manual_table",
        "enabled": True,
        "discovery_enabled": False,
        "carries_prices": True,
        "notes": "No public per-product list exists: import a CSV/XLSX (label, pack size, CHF price, source note).",
    },
]


def seed(apps, schema_editor):
    CustomsSource = apps.get_model("customs", "CustomsSource")
    for source in SOURCES:
        CustomsSource.objects.update_or_create(
            slug=source["slug"], defaults={k: v for k, v in source.items() if k != "slug"}
        )


def unseed(apps, schema_editor):
    CustomsSource = apps.get_model("customs", "CustomsSource")
    CustomsSource.objects.filter(
        slug__in=[s["slug"] for s in SOURCES], publications__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("customs", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
