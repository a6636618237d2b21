"""es-boe: the BOE daily summary and the CMT price resolutions."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from customs.adapters import AdapterError, DocumentRejected
from customs.adapters.boe import effective_date_from, read_resolution, summary_documents
from customs.models import CustomsPublication, CustomsSource
from customs.services import StageError, publication_advance, source_discover
from tests.customs.fixtures.build_spain import (
    HERE,
    RESOLUTION_PARTS,
    boe_resolution_xml,
    boe_summary_json,
    summary_item,
)
from tests.support.http_server import Reply

SPAIN = HERE
DAY = dt.date(2026, 12, 4)


def test_the_summary_yields_only_the_cmt_resolutions_of_section_one():
    payload = json.loads((SPAIN / "boe_sumario.json").read_text())
    (document,) = summary_documents(payload, day=DAY)

    assert document.external_id == "BOE-A-2026-25011"
    assert document.url.endswith("xml.php?id=BOE-A-2026-25011")
    assert document.arrete_date == dt.date(2026, 12, 1)
    assert document.metadata["published"] == "2026-12-04"
    assert document.metadata["url_pdf"].endswith("pdf.php?id=BOE-A-2026-25011")


def test_a_single_item_is_an_object_not_a_list():
    item = summary_item("BOE-A-2026-1", "https://www.boe.es/diario_boe/xml.php?id=BOE-A-2026-1")
    payload = json.loads(boe_summary_json([item]))
    department = payload["data"]["sumario"]["diario"][0]["seccion"][0]["departamento"][1]
    department["epigrafe"] = {"nombre": "Tabaco", "item": item}
    assert [d.external_id for d in summary_documents(payload, day=DAY)] == ["BOE-A-2026-1"]


def test_a_summary_in_another_layout_fails_clearly():
    with pytest.raises(AdapterError, match=r"no data\.sumario"):
        summary_documents({"status": {"code": "404"}}, day=DAY)


def test_sections_a_and_b_brand_headings_and_zones():
    extraction = read_resolution((SPAIN / "boe_resolution.xml").read_bytes())
    rows = [
        (e.zone, e.raw_label, e.unit_price, e.pack_price, e.pack_size) for e in extraction.entries
    ]

    assert rows == [
        ("peninsula", "HOYO DE MONTERREY Epicure N° 2 (25)", Decimal("15.60"), None, 25),
        # Printed without its brand under the brand heading: the heading is its brand.
        ("peninsula", "HOYO DE MONTERREY Epicure N° 1 (25)", Decimal("16.90"), None, 25),
        ("peninsula", "NUB Connecticut 4x60 (24)", Decimal("9.50"), None, 24),
        (
            "peninsula",
            "ROMEO Y JULIETA Wide Churchills Tubos 6x55 (10)",
            Decimal("18.20"),
            None,
            10,
        ),
        # Section B is headed "Euros/envase": the price is the pack's.
        (
            "peninsula",
            "FLOR DE FILIPINAS Coronitas (el envase de 5)",
            Decimal("0.47"),
            Decimal("2.35"),
            5,
        ),
        ("ceuta-melilla", "HOYO DE MONTERREY Epicure N° 2 (25)", Decimal("12.30"), None, 25),
    ]
    # Pipe tobacco (section C) never becomes a cigar entry, but it was seen.
    assert extraction.metadata["rows_per_category"] == {
        "CIGARROS Y CIGARRITOS": 6,
        "PICADURAS DE PIPA": 1,
    }
    assert extraction.arrete_date == dt.date(2026, 12, 1)
    # « entrará en vigor el día siguiente al de su publicación » (published 4 December).
    assert extraction.effective_date == dt.date(2026, 12, 5)


def test_the_effective_date_is_read_or_left_empty():
    assert effective_date_from(
        ["La presente Resolución entrará en vigor el día 1 de enero de 2027."], DAY
    ) == dt.date(2027, 1, 1)
    assert effective_date_from(["Los precios se aplicarán desde su publicación."], DAY) is None
    xml = boe_resolution_xml(RESOLUTION_PARTS, in_force="Madrid, a la fecha de la firma.")
    assert read_resolution(xml.encode()).effective_date is None


def test_a_document_without_the_table_fails():
    with pytest.raises(AdapterError, match="no price table"):
        read_resolution((SPAIN / "boe_resolution_no_table.xml").read_bytes())


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"<html><body>Documento no encontrado</body></html>", DocumentRejected),
        (b"<documento><metadatos/></documento>", AdapterError),
        (b"<documento><metadatos", DocumentRejected),
    ],
)
def test_other_layouts_fail_clearly(data, error):
    with pytest.raises(error):
        read_resolution(data)


def test_a_cigar_row_without_its_price_fails():
    parts = [
        (
            "la Península e Illes Balears",
            [("A) CIGARROS Y CIGARRITOS", "Euros/unidad", [("COHIBA", [("Siglo VI (25)", "")])])],
        )
    ]
    with pytest.raises(AdapterError, match="has no price cell"):
        read_resolution(boe_resolution_xml(parts).encode())


@pytest.fixture
def boe(db, server) -> CustomsSource:
    source = CustomsSource.objects.get(slug="es-boe")
    source.index_url = server.url("/datosabiertos/api/boe/sumario")
    source.save()
    return source


def _serve_today(server, items) -> str:
    today = timezone.localdate()
    server.route(
        f"/datosabiertos/api/boe/sumario/{today:%Y%m%d}",
        Reply(
            200,
            boe_summary_json(items, day=f"{today:%Y%m%d}").encode(),
            {"Content-Type": "application/json"},
        ),
    )
    return f"{today:%Y%m%d}"


def test_discovery_fetch_parse_and_ingest_through_the_local_server(boe, server, http_client):
    xml_url = server.url("/diario_boe/xml.php")
    _serve_today(server, [summary_item("BOE-A-2026-25011", xml_url)])
    server.route(
        "/diario_boe/xml.php",
        Reply(
            200, (SPAIN / "boe_resolution.xml").read_bytes(), {"Content-Type": "application/xml"}
        ),
    )

    outcome = source_discover(source=boe, client=http_client)
    # Days without a summary (the local server answers 404) are skipped.
    assert outcome.found == 1
    publication = publication_advance(
        publication=CustomsPublication.objects.get(pk=outcome.created[0]), client=http_client
    )

    assert publication.status == "ingested"
    assert publication.entry_count == 6
    assert publication.effective_date == dt.date(2026, 12, 5)
    assert sorted(set(publication.entries.values_list("zone", flat=True))) == [
        "ceuta-melilla",
        "peninsula",
    ]
    # A resolution lists changes only: never diffed against another one.
    assert publication.metadata["diff"]["previous_publication_id"] is None
    # Discovering again creates nothing.
    assert source_discover(source=boe, client=http_client).created == []


def test_a_resolution_on_other_tobacco_only_is_ingested_empty(boe, server, http_client):
    parts = [
        (
            "la Península e Illes Balears",
            [("A) CIGARRILLOS", "Euros/cajetilla", [("", [("Ducados Rubio (20)", "5,00")])])],
        )
    ]
    server.route(
        "/doc.xml",
        Reply(200, boe_resolution_xml(parts).encode(), {"Content-Type": "application/xml"}),
    )
    _serve_today(server, [summary_item("BOE-A-2026-30000", server.url("/doc.xml"))])

    outcome = source_discover(source=boe, client=http_client)
    publication = publication_advance(
        publication=CustomsPublication.objects.get(pk=outcome.created[0]), client=http_client
    )
    assert publication.status == "ingested"
    assert publication.entry_count == 0


def test_a_resolution_without_the_table_ends_failed_with_stage_and_reason(boe, server, http_client):
    server.route(
        "/doc.xml",
        Reply(
            200, (SPAIN / "boe_resolution_no_table.xml").read_bytes(), {"Content-Type": "text/xml"}
        ),
    )
    _serve_today(server, [summary_item("BOE-A-2026-25012", server.url("/doc.xml"))])

    outcome = source_discover(source=boe, client=http_client)
    publication = CustomsPublication.objects.get(pk=outcome.created[0])
    with pytest.raises(StageError):
        publication_advance(publication=publication, client=http_client)
    publication.refresh_from_db()
    assert publication.status == "failed"
    assert publication.failed_stage == "parse"
    assert "no price table" in publication.error
    assert not publication.entries.exists()
