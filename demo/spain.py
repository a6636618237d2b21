"""The Spanish part of the demo: a CMT snapshot and one BOE resolution, then one Habanos
cigar's official prices side by side in France and Spain.

Called by ``demo.setup.demo_setup`` after the French editions, through the same
services as everywhere (``ingest_file`` path: store, parse, ingest, diff; then embed and
match). Idempotent like the rest of the demo: the same bytes map to the same publication
and matching is incremental.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from customs.demo import DEMO_DIR
from customs.demo.spain import BOE_FILE, CMT_FILE, CMT_ZONE
from customs.models import CustomsPublication, CustomsSource, PublicationStatus
from customs.services.runs import publication_ingest_file_run

#: Progress steps this part reports (the demo command's bar counts them).
SPAIN_STEPS = 4
#: The cigar shown across countries when both countries price it (else the first that is).
SHOWCASE = "Hoyo de Monterrey Epicure No.2"


@dataclass
class SpainDemo:
    #: Per publication, the same summary as the French editions (``EditionSummary``).
    editions: list = field(default_factory=list)
    #: One cigar priced in both countries: name, admin path, per-country price and date.
    showcase: dict | None = None
    citations: list[str] = field(default_factory=list)


def _ingest(source_slug: str, file_name: str, *, zone: str, say) -> CustomsPublication:
    source = CustomsSource.objects.get(slug=source_slug)
    say(f"Spain: ingest_file {file_name}")
    _run, publication = publication_ingest_file_run(
        source=source,
        path=DEMO_DIR / file_name,
        zone=zone,
        note="CigarSpace demo (Spanish layouts)",
        trigger="demo",
    )
    if publication is None or publication.status != PublicationStatus.INGESTED:
        error = publication.error if publication else "no publication"
        raise ValueError(f"{file_name} was not ingested: {error}")
    return publication


def demo_spain(*, progress: Callable[[str], None] | None = None) -> SpainDemo:
    """Ingest and match the Spanish demo publications; pick the cigar shown in both."""
    from demo.setup import demo_match, edition_summary
    from matching.comparison import comparison_citations, price_comparison

    say = progress or (lambda message: None)
    result = SpainDemo()
    for label, slug, file_name, zone in (
        ("ES-BOE", "es-boe", BOE_FILE, ""),
        ("ES-CMT", "es-cmt", CMT_FILE, CMT_ZONE),
    ):
        publication = _ingest(slug, file_name, zone=zone, say=say)
        say(f"Spain: embed and match publication {publication.pk}")
        demo_match(publication=publication)
        result.editions.append(edition_summary(edition=label, publication=publication))

    rows = price_comparison(countries=["FR", "ES"], priced_in_all=True)
    chosen = next((r for r in rows if r.cigar == SHOWCASE), rows[0] if rows else None)
    if chosen is not None:
        (difference,) = chosen.differences(["FR", "ES"])
        result.showcase = {
            "cigar": chosen.cigar,
            "admin": f"/admin/catalogue/cigar/{chosen.cigar_id}/change/",
            "prices": {
                country: (str(p.unit_price), p.currency, p.effective_date.isoformat(), p.source)
                for country, p in sorted(chosen.prices.items(), key=lambda item: item[0] != "FR")
            },
            "difference": difference,
            "priced_in_both": len(rows),
        }
        result.citations = comparison_citations([chosen])
    return result


def print_spain(spain: SpainDemo | None, write: Callable[[str], None]) -> None:
    """The demo summary's lines about Spain (the command prints them)."""
    if spain is None or spain.showcase is None:
        return
    show = spain.showcase
    write("")
    write(
        f"Across countries ({show['priced_in_both']}"
        " cigars priced in France and Spain), e.g. " + show["cigar"] + ":"
    )
    for country, (price, currency, day, source) in show["prices"].items():
        write(f"  {country}  {price} {currency} per cigar, {day} ({source})")
    difference = show["difference"]
    if difference["amount"] is not None:
        write(f"  ES - FR: {difference['amount']:+} EUR ({difference['percent']:+} %)")
    write(f"  Admin chart:  http://127.0.0.1:8000{show['admin']}")
    write("  Comparison:   http://127.0.0.1:8000/api/v1/prices/comparison/?countries=FR,ES")
    for citation in spain.citations:
        write(f"  {citation}")
