"""es-cmt: the CMT « Precios de labores » CSV, its name grammar, the form post, snapshots."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs

import pytest

from customs.adapters import AdapterError, DocumentRejected
from customs.adapters.cmt import form_fields, read_cmt_csv
from customs.labels.spanish import brand_in_capitals, read_spanish_name
from customs.models import ChangeKind, CustomsFetch, CustomsPublication, CustomsSource
from customs.rows import TableError, is_cigar_category
from customs.services import StageError, publication_advance, source_discover
from customs.services.files import publication_ingest_file
from tests.customs.fixtures.build_spain import (
    CMT_HEADER,
    HERE,
    PENINSULA,
    cmt_csv_bytes,
    cmt_form_html,
)
from tests.support.http_server import Reply

SPAIN = HERE


def entries(rows, zone="peninsula"):
    return read_cmt_csv(cmt_csv_bytes(rows), zone=zone).entries


# --- the name grammar -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "brand", "product", "pack", "per_pack"),
    [
        ("HOYO DE MONTERREY Epicure N° 2 (25)", "HOYO DE MONTERREY", "Epicure N° 2", 25, False),
        ("FLOR DE FILIPINAS Coronitas (el envase de 5)", "FLOR DE FILIPINAS", "Coronitas", 5, True),
        ("TRINIDAD Fundadores", "TRINIDAD", "Fundadores", None, False),
        ("PARTAGÁS Serie D N° 4 (25)", "PARTAGÁS", "Serie D N° 4", 25, False),
        ("ROMEO Y JULIETA Short Churchills (3)", "ROMEO Y JULIETA", "Short Churchills", 3, False),
        ("H. UPMANN Magnum 50 (10)", "H. UPMANN", "Magnum 50", 10, False),
        ("VEGAFINA 1998 VF50 (20)", "VEGAFINA", "1998 VF50", 20, False),
        ("A & C Robusto (10)", "A & C", "Robusto", 10, False),
        ("Coronas (25)", "", "Coronas", 25, False),
    ],
)
def test_the_name_splits_brand_product_and_pack(name, brand, product, pack, per_pack):
    spanish = read_spanish_name(name)
    assert (spanish.brand, spanish.product, spanish.pack_size, spanish.per_pack) == (
        brand,
        product,
        pack,
        per_pack,
    )
    assert brand_in_capitals(name) == brand


def test_sizes_are_dimension_hints_and_packaging_words_leave_the_name():
    toro = read_spanish_name("ALADINO Classic Toro 6x50 (20)")
    assert [(d.ring_gauge, str(d.length_mm)) for d in toro.dimensions] == [(50, "152.4")]
    robusto = read_spanish_name("LA AURORA 107 Ecuador Robusto 5 1/4x54 (20)")
    assert [(d.ring_gauge, str(d.length_inches)) for d in robusto.dimensions] == [(54, "5.25")]
    for name, word, attribute in [
        ("MONTECRISTO Petit Edmundo Latas (10)", "Latas", "tin"),
        ("PARTAGÁS Serie D N° 4 Mazo (25)", "Mazo", "bundle"),
        ("COHIBA Siglo VI Tubos (15)", "Tubos", "tube"),
        ("MONTECRISTO Open Eagle Jarra (20)", "Jarra", "jar"),
    ]:
        spanish = read_spanish_name(name)
        assert spanish.packaging_words == (word,)
        assert spanish.packaging_attributes == (attribute,)
        assert word not in spanish.product


# --- the CSV ----------------------------------------------------------------------------------


def test_per_cigar_and_per_pack_prices_with_the_surcharge_price_beside_them():
    by_label = {e.raw_label: e for e in entries(PENINSULA)}

    epicure = by_label["HOYO DE MONTERREY Epicure N° 2 (25)"]
    assert (epicure.unit_price, epicure.pack_price, epicure.pack_size) == (
        Decimal("15.20"),
        None,
        25,
    )
    assert epicure.surcharge_unit_price == Decimal("16.00")
    assert epicure.zone == "peninsula"
    assert epicure.normalised_label == "hoyo de monterrey epicure no 2"
    assert is_cigar_category(epicure.category)

    pack = by_label["FLOR DE FILIPINAS Coronitas (el envase de 5)"]
    assert (pack.pack_price, pack.surcharge_pack_price) == (Decimal("2.25"), Decimal("2.40"))
    assert (pack.unit_price, pack.surcharge_unit_price) == (Decimal("0.45"), Decimal("0.48"))
    assert pack.unit_price_computed
    assert pack.parsed["per_pack"]

    single = by_label["TRINIDAD Fundadores"]
    assert (single.unit_price, single.pack_size) == (Decimal("25.00"), None)
    # Thousands with a dot, decimals with a comma.
    assert by_label["MONTECRISTO Open Eagle Jarra (20)"].unit_price == Decimal("1234.50")


def test_cp1252_accents_are_read_and_utf8_is_refused():
    (row,) = entries([("PARTAGÁS Serie D N° 4 (25)", "13,50", "14,20")])
    assert row.raw_label == "PARTAGÁS Serie D N° 4 (25)"
    assert row.parsed["brand_in_capitals"] == "PARTAGÁS"

    utf8 = ";".join(CMT_HEADER).encode("cp1252") + "\r\nPARTAGÁS D4 (25);1,00;1,10\r\n".encode()
    with pytest.raises(DocumentRejected, match="not cp1252"):
        read_cmt_csv(utf8, zone="peninsula")


def test_the_two_zones_are_read_and_an_unknown_zone_fails():
    (ceuta,) = entries([("COHIBA Siglo VI (25)", "31,00", "32,55")], zone="ceuta-melilla")
    assert ceuta.zone == "ceuta-melilla"
    with pytest.raises(AdapterError, match="Canary Islands"):
        entries(PENINSULA, zone="canarias")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (cmt_csv_bytes(PENINSULA, header=("Producto", "Precio")), "header changed"),
        (cmt_csv_bytes(PENINSULA, header=("Marca", "PVP", "Impuesto")), "header changed"),
        (cmt_csv_bytes([("COHIBA Siglo VI (25)", "38,50")]), "2 columns instead of 3"),
        (cmt_csv_bytes([("COHIBA Siglo VI (25)", "treinta", "")]), "Line 2, column B"),
        (cmt_csv_bytes([("COHIBA Siglo VI (25)", "", "1,00")]), "the price is empty"),
        (b"", "empty"),
    ],
)
def test_a_layout_that_differs_fails_clearly(data, message):
    with pytest.raises(TableError, match=message):
        read_cmt_csv(data, zone="peninsula")


def test_an_html_page_is_not_the_csv():
    with pytest.raises(DocumentRejected, match="HTML page"):
        read_cmt_csv(b"<!DOCTYPE html><html><body>Error</body></html>", zone="peninsula")


# --- the form and the snapshots ----------------------------------------------------------------


def test_form_fields_post_the_zone_cigars_and_the_export_button():
    action, fields = form_fields(cmt_form_html(), zone="ceuta-melilla")
    assert action == "./PreciosLabores.aspx"
    assert fields["ctl00$PlaceHolderMain$ddlZona"] == "2"
    assert fields["ctl00$PlaceHolderMain$ddlLabor"] == "2"
    assert fields["ctl00$PlaceHolderMain$btnExportar"] == "Exportar a CSV"
    assert "ctl00$PlaceHolderMain$btnBuscar" not in fields
    assert fields["__VIEWSTATE"].startswith("/wEPDw")
    with pytest.raises(AdapterError, match="form changed"):
        form_fields("<html><form><select name='x'></select></form></html>", zone="peninsula")


@pytest.fixture
def cmt(db, server) -> CustomsSource:
    """es-cmt pointed at a local copy of the form; the CSV answered per posted zone."""
    source = CustomsSource.objects.get(slug="es-cmt")
    source.index_url = server.url("/cmt/PreciosLabores.aspx")
    source.save()
    server.csv = {
        "1": (SPAIN / "cmt_peninsula.csv").read_bytes(),
        "2": (SPAIN / "cmt_ceuta.csv").read_bytes(),
    }

    def page(request):
        if request.method == "GET":
            return Reply(
                200, cmt_form_html().encode(), {"Content-Type": "text/html; charset=utf-8"}
            )
        form = parse_qs(request.body.decode())
        body = server.csv[form["ctl00$PlaceHolderMain$ddlZona"][0]]
        return Reply(200, body, {"Content-Type": "text/csv; charset=windows-1252"})

    server.route("/cmt/PreciosLabores.aspx", page)
    return source


def _ingest_all(source, http_client) -> list[CustomsPublication]:
    outcome = source_discover(source=source, client=http_client)
    publications = CustomsPublication.objects.filter(pk__in=outcome.created).order_by("pk")
    done = []
    for publication in publications:
        # A failure is recorded on the publication (status, stage, reason).
        with contextlib.suppress(StageError):
            publication_advance(publication=publication, client=http_client)
        publication.refresh_from_db()
        done.append(publication)
    return done


def test_discovery_posts_the_form_per_zone_and_ingests_each_zone(cmt, server, http_client):
    peninsula, ceuta = _ingest_all(cmt, http_client)

    assert (peninsula.zone, ceuta.zone) == ("peninsula", "ceuta-melilla")
    assert peninsula.status == ceuta.status == "ingested"
    assert peninsula.entry_count == len(PENINSULA)
    assert ceuta.entry_count == 3
    assert peninsula.effective_date == dt.date.today()  # dated by the fetch
    assert "Península e Illes Balears" in peninsula.title
    assert set(peninsula.entries.values_list("zone", flat=True)) == {"peninsula"}
    posts = [r for r in server.requests if r.method == "POST"]
    assert {parse_qs(r.body.decode())["ctl00$PlaceHolderMain$ddlZona"][0] for r in posts} == {
        "1",
        "2",
    }
    assert CustomsFetch.objects.filter(source=cmt, purpose="form").exists()


def test_identical_bytes_are_skipped_and_changed_content_is_diffed(cmt, server, http_client):
    first_peninsula, first_ceuta = _ingest_all(cmt, http_client)

    # Same bytes a week later: no new edition in either zone.
    assert source_discover(source=cmt, client=http_client).created == []

    server.csv["1"] = (SPAIN / "cmt_peninsula_changed.csv").read_bytes()
    (changed,) = _ingest_all(cmt, http_client)

    assert changed.zone == "peninsula"
    diff = changed.metadata["diff"]
    # Diffed against the previous edition of its own zone, never Ceuta's.
    assert diff["previous_publication_id"] == first_peninsula.pk
    assert diff["counts"][ChangeKind.CHANGED] == 2
    assert diff["counts"][ChangeKind.NEW] == 1
    assert len(diff["disappeared_entry_ids"]) == 1
    siglo = changed.entries.get(raw_label="COHIBA Siglo VI (25)")
    assert siglo.change_kind == ChangeKind.CHANGED
    assert siglo.parsed["previous"]["unit_price"] == "38.50"
    assert first_ceuta.entries.count() == 3


def test_a_file_imported_by_hand_needs_its_zone():
    source = CustomsSource.objects.get(slug="es-cmt")
    with pytest.raises(StageError, match="--zone"):
        publication_ingest_file(source=source, path=SPAIN / "cmt_ceuta.csv")
    failed = CustomsPublication.objects.get(source=source)
    assert failed.status == "failed"
    assert failed.failed_stage == "parse"

    ingested = publication_ingest_file(
        source=source, path=SPAIN / "cmt_peninsula.csv", zone="peninsula"
    )
    assert ingested.status == "ingested"
    assert ingested.zone == "peninsula"


def test_a_changed_header_fails_the_publication_with_stage_and_reason(cmt, server, http_client):
    server.csv["1"] = cmt_csv_bytes(PENINSULA, header=("Producto", "Precio", "IVA"))
    peninsula, _ceuta = _ingest_all(cmt, http_client)

    assert peninsula.status == "failed"
    assert peninsula.failed_stage == "parse"
    assert "header changed" in peninsula.error
    assert not peninsula.entries.exists()


pytestmark = pytest.mark.django_db


def test_the_spanish_sources_are_seeded_with_their_citation():
    cmt, boe = (CustomsSource.objects.get(slug=s) for s in ("es-cmt", "es-boe"))
    assert (cmt.country, cmt.currency, boe.country) == ("ES", "EUR", "ES")
    assert cmt.complete_lists
    assert not boe.complete_lists  # a resolution lists changes only
    assert "Ministerio de Hacienda" in cmt.citation
    assert "{date}" in cmt.citation


def test_the_api_shows_the_citation_with_spanish_prices(admin_client_logged_in):
    source = CustomsSource.objects.get(slug="es-cmt")
    publication = publication_ingest_file(
        source=source, path=SPAIN / "cmt_peninsula.csv", zone="peninsula"
    )
    base = f"/api/v1/customs/publications/{publication.pk}"
    detail = admin_client_logged_in.get(f"{base}/").json()
    expected = (
        "Fuente: Ministerio de Hacienda (Comisionado para el Mercado de Tabacos), "
        f"datos de {publication.effective_date.isoformat()}"
    )
    assert detail["citation"] == expected
    assert detail["zone"] == "peninsula"
    entries = admin_client_logged_in.get(f"{base}/entries/").json()
    assert entries["citation"] == expected
    assert entries["results"][0]["surcharge_unit_price"] == "16.00"
    assert admin_client_logged_in.get(f"{base}/diff/").json()["citation"] == expected


def test_a_form_that_answers_a_page_instead_of_the_csv_fails_discovery(cmt, server, http_client):
    from customs.services.runs import source_discover_run

    server.csv["1"] = b"<!DOCTYPE html><html><body>Sesion caducada</body></html>"
    run, outcome = source_discover_run(source=cmt, client=http_client)

    assert outcome is None
    assert run.outcome == "failed"
    assert "HTML page" in run.message
    assert not CustomsPublication.objects.filter(source=cmt).exists()
