"""es-boe: the BOE resolutions of the Comisionado para el Mercado de Tabacos.

Roughly weekly the BOE publishes a resolution « por la que se publican los precios de
venta al público de determinadas labores de tabaco en Expendedurías de Tabaco y Timbre
del área del Monopolio »: only the products whose price changes or that are new.

- Discovery reads the BOE open-data daily summary (``…/api/boe/sumario/AAAAMMDD``, JSON)
  of the last days: the resolutions sit in section I, department Ministerio de Hacienda;
  each item names its XML document (``url_xml``).
- Extraction reads the document's ``<texto>`` in order: zone paragraphs (« Península e
  Illes Balears », « Ceuta y Melilla »), lettered sections (« A) Cigarros y cigarritos »),
  the unit of the price column (« Euros/unidad » or « Euros/envase »), brand headings in
  capitals, then product rows ``name | price``. Only cigar sections become entries.
- The effective date is read from the text (« entrará en vigor … »); none is recorded
  when the text does not say it.

A resolution lists changes only, so it is never diffed against the previous one nor
checked for truncation (the source's ``complete_lists`` is off). See docs/spain.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import ClassVar

import lxml.etree
from django.utils import timezone

from cigarspace.http import HttpError
from customs.adapters import register
from customs.adapters.base import (
    AdapterError,
    DiscoveredDocument,
    DiscoveryAdapter,
    DocumentRejected,
    Extraction,
    ExtractorAdapter,
)
from customs.labels.spanish import brand_in_capitals
from customs.rows import TableError, fold, is_cigar_category
from customs.rows.spanish import ZONES, entry_from_spanish_line, spanish_price

SUMMARY_MAX_BYTES = 5 * 1024 * 1024
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
MONTHS = {
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}
_DATE = r"(\d{1,2})\s+de\s+([a-z]+)\s+de\s+(\d{4})"
_TITLE_DATE = re.compile(rf"resolucion\s+de\s+{_DATE}")
_SECTION = re.compile(r"^([A-Z])\)\s*(.+)$")
_NEXT_DAY = re.compile(
    r"en\s+vigor\s+(?:el|al)\s+dia\s+siguiente\s+(?:al\s+)?de\s+su\s+publicacion"
)
_ON_DATE = re.compile(rf"(?:en\s+vigor|a\s+partir)\s+(?:el|del)\s+(?:dia\s+)?{_DATE}")
_ZONE_WORDS = {"peninsula e illes balears": "peninsula", "ceuta y melilla": "ceuta-melilla"}


def spanish_date(day: str, month: str, year: str) -> dt.date | None:
    number = MONTHS.get(fold(month))
    try:
        return dt.date(int(year), number, int(day)) if number else None
    except ValueError:
        return None


def _as_list(value) -> list:
    """The summary is XML turned into JSON: one child is an object, several a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _url(value) -> str:
    if isinstance(value, dict):
        return str(value.get("texto") or value.get("url") or "")
    return str(value or "")


def is_price_resolution(title: str) -> bool:
    folded = fold(title)
    return "comisionado para el mercado de tabacos" in folded and "precios de venta" in folded


def summary_documents(payload, *, day: dt.date) -> list[DiscoveredDocument]:
    """The CMT price resolutions of one day's summary (section I, Ministerio de Hacienda)."""
    try:
        summary = payload["data"]["sumario"]
    except (KeyError, TypeError):
        raise AdapterError(
            f"The BOE summary of {day} is not in the expected layout (no data.sumario)."
        ) from None
    documents = []
    for diario in _as_list(summary.get("diario")):
        for section in _as_list(diario.get("seccion")):
            code, section_name = str(section.get("codigo", "")), fold(section.get("nombre", ""))
            if code != "1" and not section_name.startswith("i."):
                continue
            for department in _as_list(section.get("departamento")):
                if "hacienda" not in fold(department.get("nombre", "")):
                    continue
                items = _as_list(department.get("item"))
                for heading in _as_list(department.get("epigrafe")):
                    items += _as_list(heading.get("item"))
                for item in items:
                    title = str(item.get("titulo", ""))
                    xml_url = _url(item.get("url_xml"))
                    if not is_price_resolution(title) or not xml_url:
                        continue
                    match = _TITLE_DATE.search(fold(title))
                    documents.append(
                        DiscoveredDocument(
                            external_id=str(item.get("identificador") or xml_url),
                            url=xml_url,
                            title=title[:500],
                            arrete_date=spanish_date(*match.groups()) if match else None,
                            metadata={
                                "boe_id": item.get("identificador", ""),
                                "published": day.isoformat(),
                                "url_pdf": _url(item.get("url_pdf")),
                                "url_html": _url(item.get("url_html")),
                                "department": department.get("nombre", ""),
                            },
                        )
                    )
    return documents


@register
class BoeDailySummary(DiscoveryAdapter):
    """Reads the daily summaries of the last days (a missed day is caught up next time)."""

    name = "boe_daily_summary"
    version = "1.0"
    lookback_days: ClassVar[int] = 7

    def discover(self) -> list[DiscoveredDocument]:
        from customs.services.fetches import fetch_recorded

        today = timezone.localdate()
        documents: list[DiscoveredDocument] = []
        for back in range(self.lookback_days - 1, -1, -1):
            day = today - dt.timedelta(days=back)
            try:
                result = fetch_recorded(
                    client=self.client,
                    url=f"{self.source.index_url.rstrip('/')}/{day:%Y%m%d}",
                    adapter=self,
                    purpose="summary",
                    source=self.source,
                    headers={"Accept": "application/json"},
                    max_bytes=SUMMARY_MAX_BYTES,
                    accept_types=("application/json",),
                    conditional=True,
                )
            except HttpError as exc:
                if exc.status == 404:
                    continue  # no BOE that day (Sundays, holidays)
                raise
            if result.not_modified:
                continue
            documents += summary_documents(result.json(), day=day)
        return documents


# --- the document -----------------------------------------------------------------------------


def _text(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def _lines(texto):
    """The body in reading order: ("p", text) for paragraphs, ("row", cells) per table row."""
    for element in texto.iter("p", "tr"):
        if element.tag == "p":
            if any(ancestor.tag == "table" for ancestor in element.iterancestors()):
                continue  # a paragraph inside a cell is read with its row
            yield "p", _text(element)
        else:
            yield "row", [_text(cell) for cell in element if cell.tag in ("td", "th")]


def effective_date_from(paragraphs: list[str], published: dt.date | None) -> dt.date | None:
    """« entrará en vigor el día siguiente al de su publicación » → the day after it;
    « … en vigor el día 1 de junio de 2026 » → that day; otherwise None (never a guess)."""
    for paragraph in paragraphs:
        folded = fold(paragraph)
        if _NEXT_DAY.search(folded):
            return published + dt.timedelta(days=1) if published else None
        match = _ON_DATE.search(folded)
        if match:
            return spanish_date(*match.groups())
    return None


def _compact_date(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value.strip(), "%Y%m%d").date()
    except ValueError:
        return None


def _label(brand: str, name: str) -> str:
    """The row's name in the list's grammar: the brand heading in capitals in front."""
    name = re.sub(r"\s*\.+\s*$", "", name)
    if not brand or brand_in_capitals(name):
        return name
    if fold(name).startswith(fold(brand) + " "):
        return f"{brand}{name[len(brand) :]}"
    return f"{brand} {name}"


class _Reader:
    """The section state machine over the lines of ``<texto>``."""

    def __init__(self, title_zone: str) -> None:
        self.zone = title_zone
        self.category: str | None = None
        self.cigars = False
        self.per_pack = False
        self.brand = ""
        self.entries = []
        self.price_rows = 0
        self.rows_per_category: Counter = Counter()

    def paragraph(self, text: str) -> None:
        folded = fold(text)
        for words, zone in _ZONE_WORDS.items():
            if words in folded:
                self.zone, self.category, self.cigars = zone, None, False
        self.heading(text)

    def heading(self, text: str) -> bool:
        section = _SECTION.match(text)
        if section:
            self.category = section.group(2).strip()
            self.cigars = is_cigar_category(self.category)
            self.per_pack, self.brand = False, ""
            return True
        folded = fold(text)
        if "euros/envase" in folded or "euros/cajetilla" in folded:
            self.per_pack = True
            return True
        if "euros/unidad" in folded:
            self.per_pack = False
            return True
        return False

    def row(self, cells: list[str], number: int) -> None:
        filled = [c for c in cells if c]
        if not filled:
            return
        if len(filled) == 1 or self.heading(" ".join(filled)):
            text = filled[0]
            if len(filled) > 1 or self.heading(text):
                return
            if brand_in_capitals(text) == text:
                self.brand = text  # a brand heading
            elif self.cigars:
                raise TableError(f"Row {number}: {text!r} has no price cell.")
            return
        name, price = filled[0], filled[-1]
        self.price_rows += 1
        self.rows_per_category[self.category or "(none)"] += 1
        if not self.cigars:
            return
        if not self.zone:
            raise TableError(f"Row {number}: a price row before any zone (Península, Ceuta…).")
        self.entries.append(
            entry_from_spanish_line(
                _label(self.brand, name),
                spanish_price(price, where=f"Row {number} ({name!r})"),
                row_number=len(self.entries),
                zone=self.zone,
                per_pack_section=self.per_pack,
            )
        )


def read_resolution(data: bytes) -> Extraction:
    """The cigar entries of one resolution document (BOE XML); the layout is checked."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = lxml.etree.fromstring(data, parser=parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise DocumentRejected(f"The BOE document is not well-formed XML: {exc}") from None
    if root.tag != "documento":
        raise DocumentRejected(f"Expected a BOE <documento>; the root is <{root.tag}>.")
    meta = root.find("metadatos")
    texto = root.find("texto")
    if meta is None or texto is None:
        raise AdapterError("The BOE document has no <metadatos> or no <texto>.")
    title = (meta.findtext("titulo") or "").strip()
    published = _compact_date(meta.findtext("fecha_publicacion") or "")
    title_zone = next((z for w, z in _ZONE_WORDS.items() if w in fold(title)), "")
    reader = _Reader(title_zone)
    paragraphs: list[str] = []
    tables = 0
    try:
        for number, (kind, value) in enumerate(_lines(texto), start=1):
            if kind == "p":
                paragraphs.append(value)
                reader.paragraph(value)
            else:
                reader.row(value, number)
        tables = len(texto.findall(".//table"))
    except TableError as exc:
        raise AdapterError(str(exc)) from exc
    if not tables or not reader.price_rows:
        raise AdapterError(
            "The resolution has no price table (no table rows of a name and a price in its "
            "<texto>): the document's layout is not the one this channel reads."
        )
    return Extraction(
        title=title,
        arrete_date=_compact_date(meta.findtext("fecha_disposicion") or ""),
        effective_date=effective_date_from(paragraphs, published),
        entries=reader.entries,
        metadata={
            "boe_id": (meta.findtext("identificador") or "").strip(),
            "published": published.isoformat() if published else None,
            "rows_per_category": dict(reader.rows_per_category),
            "zones": sorted({e.zone for e in reader.entries}),
        },
    )


@register
class BoeResolutionXml(ExtractorAdapter):
    """Fetches one resolution's XML document and reads its cigar price tables."""

    name = "boe_resolution_xml"
    version = "1.0"
    max_bytes = DOCUMENT_MAX_BYTES
    suffix = ".xml"
    mime_type = "application/xml"
    accept_types = ("application/xml", "text/xml")
    label_grammar = "es"

    def check_document(self, path: Path) -> None:
        with path.open("rb") as handle:
            head = handle.read(512).lstrip()
        if not head.startswith((b"<?xml", b"<documento")):
            raise DocumentRejected(
                f"Expected a BOE XML document; got {head[:60].decode('utf-8', 'replace')!r}."
            )
        if b"<!doctype html" in head.lower() or b"<html" in head.lower():
            raise DocumentRejected("Expected a BOE XML document; got an HTML page.")

    def extract(self, *, path: Path, publication=None) -> Extraction:
        extraction = read_resolution(path.read_bytes())
        extraction.metadata["zones_label"] = [ZONES[z] for z in extraction.metadata["zones"]]
        return extraction
