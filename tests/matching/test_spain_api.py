"""Across countries: a cigar's prices grouped by country and source, the comparison
endpoint (JSON and CSV), and the Spanish citation wherever Spanish prices are shown."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from customs.models import CustomsSource
from customs.services.files import publication_ingest_file
from matching.services import publication_match
from tests.matching.conftest import add_entries, cigar

pytestmark = pytest.mark.django_db

SPAIN = Path(__file__).resolve().parents[1] / "customs" / "fixtures" / "spain"
COMPARISON = "/api/v1/prices/comparison/"
HACIENDA = "Fuente: Ministerio de Hacienda (Comisionado para el Mercado de Tabacos), datos de"


@pytest.fixture
def both_countries(habanos, publication):
    """Epicure No.2 priced in France (10.00, September) and Spain (15.20 in the Península,
    11.90 in Ceuta y Melilla, today)."""
    add_entries(
        publication,
        ["Hoyo de Monterrey Epicure N°2, en 25 cigares", "Hoyo de Monterrey Epicure N°1, en 25"],
    )
    publication_match(publication=publication)
    cmt = CustomsSource.objects.get(slug="es-cmt")
    for name, zone in (("cmt_peninsula.csv", "peninsula"), ("cmt_ceuta.csv", "ceuta-melilla")):
        spanish = publication_ingest_file(source=cmt, path=SPAIN / name, zone=zone)
        publication_match(publication=spanish)
    return cigar("Hoyo de Monterrey Epicure No.2")


def test_a_cigars_prices_are_grouped_by_country_and_source(both_countries):
    response = APIClient().get(f"/api/v1/cigars/{both_countries.pk}/prices/")
    assert response.status_code == 200
    series = response.json()["results"]

    assert [(s["country"], s["source"], s["zone"], s["pack_size"]) for s in series] == [
        ("ES", "es-cmt", "ceuta-melilla", 25),
        ("ES", "es-cmt", "peninsula", 15),  # the tubes
        ("ES", "es-cmt", "peninsula", 25),
        ("FR", "fr-douane-opendata", "", 25),
    ]
    peninsula = series[2]
    assert peninsula["prices"][0]["unit_price"] == "15.20"
    assert peninsula["prices"][0]["surcharge_unit_price"] == "16.00"
    today = timezone.localdate().isoformat()
    assert peninsula["citation"] == f"{HACIENDA} {today}"
    assert series[3]["citation"] == ""


def test_the_comparison_gives_each_countrys_latest_price_and_the_difference(both_countries):
    response = APIClient().get(COMPARISON, {"countries": "FR,ES", "brand": "Hoyo de Monterrey"})
    assert response.status_code == 200
    body = response.json()

    (row,) = [r for r in body["results"] if r["cigar_id"] == both_countries.pk]
    prices = {p["country"]: p for p in row["prices"]}
    assert prices["FR"]["unit_price"] == "10.00"
    assert prices["FR"]["effective_date"] == "2026-09-01"
    # The Península price (the main zone), not Ceuta y Melilla's.
    assert prices["ES"]["unit_price"] == "15.20"
    assert prices["ES"]["effective_date"] == timezone.localdate().isoformat()
    assert prices["ES"]["citation"].startswith(HACIENDA)
    assert row["differences"] == [
        {"country": "ES", "versus": "FR", "amount": "5.20", "percent": "52.0"}
    ]
    assert body["countries"] == ["FR", "ES"]
    assert any(c.startswith(HACIENDA) for c in body["citations"])


def test_the_comparison_filters_by_brand_line_and_countries(both_countries):
    api = APIClient()
    epicure_line = api.get(COMPARISON, {"line": "Epicure"}).json()["results"]
    assert {r["cigar"] for r in epicure_line} == {
        "Hoyo de Monterrey Epicure No.1",
        "Hoyo de Monterrey Epicure No.2",
    }
    # Epicure No.1 is priced in France only.
    both = api.get(COMPARISON, {"line": "Epicure", "priced_in_all": "true"}).json()["results"]
    assert [r["cigar"] for r in both] == ["Hoyo de Monterrey Epicure No.2"]

    spain_only = api.get(COMPARISON, {"countries": "ES", "brand": "cohiba"}).json()["results"]
    assert {r["cigar"] for r in spain_only} >= {"Cohiba Siglo VI"}
    assert all([p["country"] for p in r["prices"]] == ["ES"] for r in spain_only)
    assert all(r["differences"] == [] for r in spain_only)


def test_the_comparison_exports_csv_with_the_citation(both_countries):
    response = APIClient().get(COMPARISON, {"countries": "FR,ES", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "price-comparison-fr-es.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))

    epicure = next(r for r in rows if r["cigar"] == "Hoyo de Monterrey Epicure No.2")
    assert (epicure["FR_unit_price"], epicure["ES_unit_price"]) == ("10.00", "15.20")
    assert Decimal(epicure["ES_minus_FR"]) == Decimal("5.20")
    assert epicure["ES_citation"].startswith(HACIENDA)
    assert epicure["FR_citation"] == ""
    assert dt.date.fromisoformat(epicure["ES_date"]) == timezone.localdate()

    by_accept = APIClient().get(COMPARISON, HTTP_ACCEPT="text/csv")
    assert by_accept["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("countries", ["FRA", "FR,FR", "fr;es", "A1"])
def test_bad_countries_are_a_json_400_even_for_csv(db, countries):
    response = APIClient().get(COMPARISON, {"countries": countries, "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "invalid"


def test_an_unknown_format_is_a_json_400(db):
    response = APIClient().get(COMPARISON, {"format": "xml"})
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"format": ["Either json or csv."]}


def test_the_cigar_admin_chart_draws_one_series_per_country(both_countries, admin_client_logged_in):
    page = admin_client_logged_in.get(f"/admin/catalogue/cigar/{both_countries.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    chart = html[html.index('<svg class="review-chart price-history"') :]
    chart = chart[: chart.index("</svg>")]
    assert re.findall(r'data-series="([^"]+)"', chart) == ["Spain", "France"]
    assert HACIENDA in html  # the citation under the table of Spanish prices


def test_a_countrys_latest_price_wins_whichever_source_published_it(habanos):
    cmt = CustomsSource.objects.get(slug="es-cmt")
    boe = CustomsSource.objects.get(slug="es-boe")
    snapshot = publication_ingest_file(
        source=cmt,
        path=SPAIN / "cmt_peninsula.csv",
        zone="peninsula",
        effective_date=dt.date(2026, 12, 1),
    )
    # In force on 5 December: Epicure No.2 at 15.60 (the snapshot of the 1st said 15.20).
    resolution = publication_ingest_file(source=boe, path=SPAIN / "boe_resolution.xml")
    for publication in (snapshot, resolution):
        publication_match(publication=publication)

    rows = APIClient().get(COMPARISON, {"countries": "ES", "line": "Epicure"}).json()["results"]
    by_cigar = {r["cigar"]: r["prices"][0] for r in rows}
    epicure = by_cigar["Hoyo de Monterrey Epicure No.2"]
    assert (epicure["unit_price"], epicure["source"], epicure["effective_date"]) == (
        "15.60",
        "es-boe",
        "2026-12-05",
    )
    # On one date, the lowest per-cigar price of the presentations (box 15.20, tubes 16.10).
    resolution.entries.filter(raw_label__contains="Epicure N° 2").update(is_withdrawn=True)
    rows = APIClient().get(COMPARISON, {"countries": "ES", "line": "Epicure"}).json()["results"]
    epicure = {r["cigar"]: r["prices"][0] for r in rows}["Hoyo de Monterrey Epicure No.2"]
    assert (epicure["unit_price"], epicure["source"]) == ("15.20", "es-cmt")
