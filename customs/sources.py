"""The publication channels every installation starts with (docs/publication-formats.md).

Migration 0002 seeded a frozen copy of this list. It is ensured again after every
``migrate`` and every test-database flush (``post_migrate``), creating only the sources
that are missing: an operator's changes to an existing source (disabling it, a new index
URL) are never overwritten.
"""

from __future__ import annotations

#: Spain allows reuse, commercial reuse included, when the source is cited with the date of
#: the data: shown wherever Spanish prices are shown or exported (docs/spain.md).
SPANISH_CITATION = (
    "Fuente: Ministerio de Hacienda (Comisionado para el Mercado de Tabacos), datos de {date}"
)

DEFAULT_SOURCES = [
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
        "notes": (
            "One ODS (and a PDF twin) per homologation edition; "
            "the channel that carries the prices."
        ),
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
        "notes": (
            "Legal provenance (NOR, JORFTEXT, ELI, JO number); needs PISTE OAuth2 credentials."
        ),
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
        "slug": "es-cmt",
        "name": "Spain (CMT) — « Precios de labores », cigars, per zone (CSV export)",
        "country": "ES",
        "currency": "EUR",
        "index_url": (
            "https://www.hacienda.gob.es/es-ES/Areas%20Tematicas/CMTabacos/Paginas/"
            "PreciosLabores.aspx"
        ),
        "discovery_adapter": "cmt_prices_form",
        "extractor_adapter": "cmt_prices_csv",
        "enabled": True,
        "discovery_enabled": True,
        "carries_prices": True,
        "complete_lists": True,
        "citation": SPANISH_CITATION,
        "notes": (
            "The complete current list, undated: a weekly snapshot per zone (Península e "
            "Illes Balears, Ceuta y Melilla); identical bytes are skipped, a changed list is "
            "a new edition dated by the fetch."
        ),
    },
    {
        "slug": "es-boe",
        "name": "Spain (BOE) — price resolutions of the Comisionado para el Mercado de Tabacos",
        "country": "ES",
        "currency": "EUR",
        "index_url": "https://www.boe.es/datosabiertos/api/boe/sumario",
        "discovery_adapter": "boe_daily_summary",
        "extractor_adapter": "boe_resolution_xml",
        "enabled": True,
        "discovery_enabled": True,
        "carries_prices": True,
        "complete_lists": False,
        "citation": SPANISH_CITATION,
        "notes": (
            "The dated record: each resolution lists only new or changed prices (both zones); "
            "found through the BOE open-data daily summary."
        ),
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
        "notes": (
            "No public per-product list exists: import a CSV/XLSX "
            "(label, pack size, CHF price, source note)."
        ),
    },
]


def sources_ensure_defaults(*, using: str = "default") -> list[str]:
    """Create the default sources that do not exist; return the slugs created."""
    from customs.models import CustomsSource

    created = []
    for source in DEFAULT_SOURCES:
        defaults = {key: value for key, value in source.items() if key != "slug"}
        _, was_created = CustomsSource.objects.using(using).get_or_create(
            slug=source["slug"], defaults=defaults
        )
        if was_created:
            created.append(source["slug"])
    return created


def citation_for(template: str, data_date) -> str:
    """A source's citation with the date of the data ("" when the source asks for none)."""
    if not template:
        return ""
    return template.format(date=data_date.isoformat() if data_date else "unknown")
