"""es-cmt: the « Precios de labores » list of the Comisionado para el Mercado de Tabacos.

The list is an ASP.NET search form on the Ministerio de Hacienda's site. Posting it with a
zone (« Península e Illes Balears » or « Ceuta y Melilla »), the labor « Cigarros » and the
« Exportar a CSV » button answers a CSV file: ``;``-separated, cp1252, one header line, three
columns (name; price in an Expendeduría de Tabaco y Timbre; price at outlets with a
surcharge). See docs/spain.md.

The list carries no date, so each fetch is a snapshot. Discovery posts the form once per
zone (weekly) and compares the bytes with the zone's latest snapshot: identical bytes are
not ingested again; changed content becomes a new edition of that zone, dated by the
fetch, which the pipeline diffs against the zone's previous edition.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urljoin

import lxml.html
from django.conf import settings
from django.utils import timezone

from customs.adapters import register
from customs.adapters.base import (
    AdapterError,
    DiscoveredDocument,
    DiscoveryAdapter,
    DocumentRejected,
    Extraction,
    ExtractorAdapter,
)
from customs.rows import TableError, fold
from customs.rows.spanish import ZONES, entry_from_spanish_line, spanish_price

if TYPE_CHECKING:
    from cigarspace.http import FetchResult, HttpClient
    from customs.models import CustomsPublication, CustomsSource

FORM_MAX_BYTES = 5 * 1024 * 1024
CSV_MAX_BYTES = 20 * 1024 * 1024
#: The labor (product family) the form is posted with.
LABOR = "Cigarros"
# Folded header words of the three columns (the exact captions are not published anywhere:
# a header is accepted when each column names what it holds).
HEADER_WORDS = (
    ("column A (the product)", ("producto", "labor", "denominacion", "marca", "nombre")),
    ("column B (the Expendeduría price)", ("precio", "pvp", "expendedur")),
    ("column C (the surcharge price)", ("recargo",)),
)
# UTF-8 read as cp1252 leaves "Ã" followed by a second byte: the file is not cp1252.
_MOJIBAKE = re.compile("[\u00c3\u00c2][\u0080-\u00bf\u2018-\u203a\u0152-\u0178\u02c6-\u02dc]")


def _zone_label(zone: str) -> str:
    try:
        return ZONES[zone]
    except KeyError:
        raise AdapterError(
            f"Unknown CMT zone {zone!r}: the list has {', '.join(ZONES)} "
            "(the Canary Islands are outside the monopoly and have no list)."
        ) from None


# --- the form ---------------------------------------------------------------------------------


def _option_value(select, wanted: str) -> str | None:
    """The value of the option whose folded text starts like ``wanted``."""
    target = fold(wanted)
    for option in select.iterfind(".//option"):
        text = fold(option.text_content())
        if text and (text.startswith(target) or (len(text) >= 6 and target.startswith(text))):
            value = option.get("value")
            return value if value is not None else option.text_content().strip()
    return None


def form_fields(html: str, *, zone: str) -> tuple[str, dict[str, str]]:
    """The form's action and the fields to post for ``zone``, cigars, and the CSV export.

    The ASP.NET field names are generated (``ctl00$…``), so the fields are found by what
    they offer: the select with the zone, the select with « Cigarros », the button whose
    caption says CSV. Hidden fields (view state, event validation) are posted back as is.
    """
    zone_label = _zone_label(zone)
    tree = lxml.html.fromstring(html)
    for form in tree.iterfind(".//form"):
        fields: dict[str, str] = {}
        zone_field = labor_field = export = None
        for element in form.iter("input", "select", "textarea", "button"):
            name = element.get("name")
            if not name:
                continue
            kind = (element.get("type") or "").lower()
            if element.tag == "select":
                if _option_value(element, zone_label) is not None and zone_field is None:
                    zone_field = name
                    fields[name] = _option_value(element, zone_label)
                elif _option_value(element, LABOR) is not None and labor_field is None:
                    labor_field = name
                    fields[name] = _option_value(element, LABOR)
                else:
                    selected = element.find(".//option[@selected]")
                    fields[name] = selected.get("value", "") if selected is not None else ""
            elif kind in ("submit", "image") or element.tag == "button":
                caption = element.get("value") or element.text_content() or ""
                if "csv" in fold(caption) and export is None:
                    export = (name, element.get("value") or caption.strip())
            elif kind in ("checkbox", "radio"):
                if element.get("checked") is not None:
                    fields[name] = element.get("value", "on")
            else:
                fields[name] = element.get("value", "")
        if zone_field and labor_field and export:
            fields[export[0]] = export[1]
            return form.get("action") or "", fields
    raise AdapterError(
        "The CMT « Precios de labores » form changed: no form offers the zone "
        f"« {zone_label} », the labor « {LABOR} » and an « Exportar a CSV » button."
    )


def cmt_export_csv(
    client: HttpClient,
    *,
    source: CustomsSource,
    adapter,
    zone: str,
    publication: CustomsPublication | None = None,
) -> FetchResult:
    """Load the form page, post it for ``zone`` and return the CSV answer (both recorded)."""
    from customs.services.fetches import fetch_recorded

    page = fetch_recorded(
        client=client,
        url=source.index_url,
        adapter=adapter,
        purpose="form",
        source=source,
        publication=publication,
        max_bytes=FORM_MAX_BYTES,
        accept_types=("text/html", "application/xhtml+xml"),
    )
    action, fields = form_fields(page.text, zone=zone)
    answer = fetch_recorded(
        client=client,
        url=urljoin(page.url, action),
        adapter=adapter,
        purpose="document" if publication is not None else "snapshot",
        source=source,
        publication=publication,
        method="POST",
        data=fields,
        max_bytes=CSV_MAX_BYTES,
    )
    check_csv_bytes(answer.content or b"")
    return answer


# --- discovery --------------------------------------------------------------------------------


@register
class CmtPricesForm(DiscoveryAdapter):
    """Posts the form per zone; a zone whose CSV changed since its last snapshot is listed."""

    name = "cmt_prices_form"
    version = "1.0"
    cadence = "weekly"
    zones: ClassVar[tuple[str, ...]] = tuple(ZONES)

    def discover(self) -> list[DiscoveredDocument]:
        from customs.models import CustomsPublication

        documents = []
        for zone in self.zones:
            answer = cmt_export_csv(self.client, source=self.source, adapter=self, zone=zone)
            latest = (
                CustomsPublication.objects.filter(
                    source=self.source, zone=zone, duplicate_of__isnull=True
                )
                .order_by("-created_at", "-id")
                .first()
            )
            if latest is not None and answer.digest in (
                latest.content_hash,
                latest.metadata.get("discovered_digest"),
            ):
                continue  # identical bytes: the snapshot is the latest edition already
            fetched_at = answer.fetched_at or timezone.now()
            day = timezone.localdate(fetched_at)
            documents.append(
                DiscoveredDocument(
                    external_id=f"cmt:{zone}:{day.isoformat()}:{answer.digest[:16]}",
                    url=self.source.index_url,
                    title=f"CMT Precios de labores — {LABOR} — {ZONES[zone]} — {day}",
                    effective_date=day,
                    zone=zone,
                    metadata={
                        "zone_label": ZONES[zone],
                        "discovered_digest": answer.digest,
                        "discovered_at": fetched_at.isoformat(),
                        "discovered_size": answer.size,
                    },
                )
            )
        return documents


# --- the CSV ----------------------------------------------------------------------------------


def check_csv_bytes(head: bytes) -> None:
    """Refuse what is not the CSV: an HTML page (a form error), binary bytes, UTF-8."""
    sample = head[:4096]
    if b"\x00" in sample:
        raise DocumentRejected("Expected the CMT CSV; got binary content.")
    stripped = sample.lstrip().lower()
    if stripped.startswith((b"<!doctype", b"<html", b"<?xml", b"<")):
        raise DocumentRejected(
            "Expected the CMT CSV; got an HTML page (the form answered with a page, not "
            f"the export): {sample[:80].decode('cp1252', errors='replace')!r}."
        )


def decode_cp1252(data: bytes) -> str:
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DocumentRejected(
            f"The CMT CSV is not cp1252: byte 0x{data[exc.start]:02x} at offset {exc.start}."
        ) from None
    if _MOJIBAKE.search(text):
        raise DocumentRejected(
            "The CMT CSV is not cp1252: it reads as UTF-8 (« Ã » sequences); the list is "
            "published in cp1252, so the format changed."
        )
    return text.removeprefix("\ufeff")


def check_header(header: list[str]) -> None:
    if len(header) != len(HEADER_WORDS) or not all(
        any(word in fold(cell) for word in words)
        for cell, (_name, words) in zip(header, HEADER_WORDS, strict=False)
    ):
        expected = "; ".join(name for name, _words in HEADER_WORDS)
        raise TableError(
            f"The CMT CSV header changed: expected three columns ({expected}), got {header!r}."
        )


def read_cmt_csv(data: bytes, *, zone: str, max_rows: int | None = None) -> Extraction:
    """The entries of one CMT CSV export (the layout is checked first; any doubt fails)."""
    _zone_label(zone)
    check_csv_bytes(data)
    text = decode_cp1252(data)
    max_rows = max_rows or settings.CUSTOMS_MAX_TABLE_ROWS
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')
    try:
        header = next(reader, None)
        if header is None:
            raise TableError("The CMT CSV is empty.")
        check_header([cell.strip() for cell in header])
        entries = []
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(entries) >= max_rows:
                raise TableError(f"More than {max_rows} rows: far more than any price list.")
            if len(row) != 3:
                raise TableError(f"Line {line}: {len(row)} columns instead of 3: {row!r}.")
            name, price, surcharge = (cell.strip() for cell in row)
            if not name:
                raise TableError(f"Line {line}: the product name is empty.")
            entries.append(
                entry_from_spanish_line(
                    name,
                    spanish_price(price, where=f"Line {line}, column B"),
                    surcharge=spanish_price(
                        surcharge, where=f"Line {line}, column C", required=False
                    ),
                    row_number=line - 1,
                    zone=zone,
                )
            )
    except csv.Error as exc:
        raise TableError(f"The CMT CSV cannot be read: {exc}") from None
    return Extraction(
        entries=entries,
        metadata={"zone": zone, "zone_label": ZONES[zone], "header": header, "rows": len(entries)},
    )


@register
class CmtPricesCsv(ExtractorAdapter):
    """Re-posts the form for the publication's zone and reads the CSV it answers."""

    name = "cmt_prices_csv"
    version = "1.0"
    max_bytes = CSV_MAX_BYTES
    suffix = ".csv"
    mime_type = "text/csv"
    label_grammar = "es"

    def download(self, *, publication: CustomsPublication, dest: Path) -> FetchResult:
        answer = cmt_export_csv(
            self.client, source=publication.source, adapter=self, zone=publication.zone,
            publication=publication,
        )  # fmt: skip
        dest.write_bytes(answer.content or b"")
        return answer

    def check_document(self, path: Path) -> None:
        with path.open("rb") as handle:
            check_csv_bytes(handle.read(4096))

    def extract(self, *, path: Path, publication: CustomsPublication | None = None) -> Extraction:
        zone = publication.zone if publication is not None else ""
        if not zone:
            raise AdapterError(
                "The CMT CSV does not say its zone: discovery records it; a file imported by "
                "hand needs `manage.py ingest_file --source es-cmt --zone peninsula|ceuta-melilla`."
            )
        try:
            extraction = read_cmt_csv(path.read_bytes(), zone=zone)
        except TableError as exc:
            raise AdapterError(str(exc)) from exc
        when = publication.fetched_at or publication.discovered_at or timezone.now()
        # The list has no date: the edition is dated by the fetch that took the snapshot.
        extraction.effective_date = publication.effective_date or timezone.localdate(when)
        extraction.title = (
            f"CMT Precios de labores — {LABOR} — {ZONES[zone]} — {extraction.effective_date}"
        )
        return extraction
