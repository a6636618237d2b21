"""How each source asks to be cited when its prices are republished.

French public data (the DGDDI's open data, the Journal officiel) is published under the
Licence Ouverte / Open Licence 2.0 (Etalab), whose one condition is attribution: name the
producer and the date of the data. Sources without such terms get a plain attribution.
Documented in docs/price-watch.md.
"""

from __future__ import annotations

import datetime as dt

from customs.models import CustomsSource

CITATIONS = {
    "fr-douane-opendata": (
        "Source : Direction générale des douanes et droits indirects (DGDDI), prix de vente "
        "au détail des tabacs manufacturés homologués{edition}, en vigueur le {date}. "
        "Données publiées sous la Licence Ouverte / Open Licence 2.0 (Etalab)."
    ),
    "fr-legifrance-jorf": (
        "Source : Journal officiel de la République française (Légifrance){edition}, "
        "en vigueur le {date}. Licence Ouverte / Open Licence 2.0 (Etalab)."
    ),
    "fr-legifrance-dila": (
        "Source : Direction de l'information légale et administrative (DILA), Journal "
        "officiel{edition}, en vigueur le {date}. Licence Ouverte / Open Licence 2.0 (Etalab)."
    ),
    "ch-ofdf": (
        "Source: Swiss Federal Office for Customs and Border Security (FOCBS/OFDF), prices "
        "imported by hand{edition}, in force on {date}."
    ),
}
DEFAULT_CITATION = "Source: {name}{edition}, in force on {date}."


def source_citation(*, source: CustomsSource, on: dt.date, edition_title: str = "") -> str:
    template = CITATIONS.get(source.slug, DEFAULT_CITATION)
    edition = f" ({edition_title})" if edition_title else ""
    return template.format(name=source.name, edition=edition, date=on.isoformat())
