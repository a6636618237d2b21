"""Prices by date: in force vs upcoming around an effective date, a source error keeping
the previous price, and the tariff in JSON, CSV and XLSX with its citation."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.factories import OperatorFactory
from tests.watch.conftest import (
    EFFECTIVE_B,
    REPRICED,
    SUSPECT_LABEL,
    WITHDRAWN_LABEL,
    cigar_of,
    entry_of,
)
from watch.models import SuspectChange
from watch.prices import cigar_prices_now_and_next, prices_in_force, prices_upcoming
from watch.services import publication_events_compute, suspect_reject

pytestmark = pytest.mark.django_db

DAY_BEFORE = EFFECTIVE_B - dt.timedelta(days=1)


def _unit(points, cigar_id):
    (point,) = [p for p in points if p.cigar_id == cigar_id]
    return point.unit_price


def test_before_the_effective_date_the_old_price_is_in_force_and_the_new_one_upcoming(
    demo_editions,
):
    a, b = demo_editions
    cigar = cigar_of(a, REPRICED)
    old, new = entry_of(a, REPRICED).unit_price, entry_of(b, REPRICED).unit_price
    before = cigar_prices_now_and_next(cigar_id=cigar.pk, today=DAY_BEFORE)
    assert _unit(before["in_force"], cigar.pk) == old
    assert _unit(before["upcoming"], cigar.pk) == new
    on = cigar_prices_now_and_next(cigar_id=cigar.pk, today=EFFECTIVE_B)
    assert _unit(on["in_force"], cigar.pk) == new
    assert on["upcoming"] == []
    # A withdrawn line has no price in force once the withdrawal applies.
    withdrawn = cigar_of(a, WITHDRAWN_LABEL)
    assert [p.cigar_id for p in prices_in_force(on=DAY_BEFORE, cigar_id=withdrawn.pk)]
    assert prices_in_force(on=EFFECTIVE_B, cigar_id=withdrawn.pk) == []


def test_the_upcoming_api_lists_changes_not_yet_in_force(demo_editions):
    a, b = demo_editions
    client = APIClient()
    response = client.get("/api/v1/prices/upcoming", {"date": DAY_BEFORE.isoformat()})
    assert response.status_code == 200, response.content
    body = response.json()
    changed = {e.pk for e in b.entries.exclude(change_kind__in=["unchanged", ""])}
    assert body["count"] == len(prices_upcoming(today=DAY_BEFORE)) > 10
    assert {item["upcoming"]["entry_id"] for item in body["results"]} <= changed
    (item,) = [i for i in body["results"] if i["upcoming"]["entry_id"] == entry_of(b, REPRICED).pk]
    assert Decimal(item["in_force"]["unit_price"]) == entry_of(a, REPRICED).unit_price
    after = client.get("/api/v1/prices/upcoming", {"date": EFFECTIVE_B.isoformat()}).json()
    assert after["count"] == 0
    cigar = cigar_of(a, REPRICED)
    one = client.get(f"/api/v1/prices/cigars/{cigar.pk}/", {"date": DAY_BEFORE.isoformat()})
    assert one.status_code == 200
    assert Decimal(one.json()["upcoming"][0]["unit_price"]) == entry_of(b, REPRICED).unit_price


def test_a_source_error_keeps_the_previous_price_in_force(demo_editions):
    a, b = demo_editions
    publication_events_compute(publication_id=b.pk)
    cigar = cigar_of(a, SUSPECT_LABEL)
    assert _unit(prices_in_force(on=EFFECTIVE_B, cigar_id=cigar.pk), cigar.pk) == Decimal("41.00")
    suspect = SuspectChange.objects.get(entry=entry_of(b, SUSPECT_LABEL))
    suspect_reject(suspect=suspect, actor=OperatorFactory())
    assert _unit(prices_in_force(on=EFFECTIVE_B, cigar_id=cigar.pk), cigar.pk) == Decimal("4.10")


def test_the_tariff_in_json_csv_and_xlsx_carries_the_citation(demo_editions):
    a, b = demo_editions
    client = APIClient()
    query = {"date": "2026-11-15", "source": "fr-douane-opendata"}
    as_json = client.get("/api/v1/prices/tariff", query)
    assert as_json.status_code == 200, as_json.content
    body = as_json.json()
    assert body["edition_id"] == b.pk
    assert "Direction générale des douanes et droits indirects" in body["citation"]
    assert "Licence Ouverte" in body["citation"]
    expected = len(prices_in_force(on=dt.date(2026, 11, 15), source=b.source))
    assert body["count"] == len(body["results"]) == expected > 50
    repriced = cigar_of(a, REPRICED)
    (row,) = [r for r in body["results"] if r["cigar_id"] == repriced.pk]
    assert Decimal(row["unit_price"]) == entry_of(b, REPRICED).unit_price

    as_csv = client.get("/api/v1/prices/tariff", {**query, "format": "csv"})
    assert as_csv.status_code == 200
    assert as_csv["Content-Type"].startswith("text/csv")
    assert "attachment" in as_csv["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["cigar_id", "cigar", "pack_size"]
    assert len(rows) == expected + 3  # header, prices, blank, citation
    assert rows[-1] == [body["citation"]]

    as_xlsx = client.get("/api/v1/prices/tariff", {**query, "format": "xlsx"})
    assert as_xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.content))
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "cigar_id"
    assert values[-1][0] == body["citation"]
    priced = [r for r in values[1:] if r[0] == repriced.pk]
    assert priced[0][4] == float(entry_of(b, REPRICED).unit_price)
    assert book["Source"]["B3"].value == body["citation"]

    # Before edition B applies, the tariff is edition A's.
    earlier = client.get("/api/v1/prices/tariff", {**query, "date": "2026-10-01"}).json()
    assert earlier["edition_id"] == a.pk


def test_the_tariff_refuses_bad_input_as_json(db):
    client = APIClient()
    bad = [
        {"date": "yesterday", "source": "fr-douane-opendata"},
        {"date": "2026-11-01", "source": "no-such-source"},
        {"date": "2026-11-01", "source": "fr-douane-opendata", "format": "pdf"},
        {"source": "fr-douane-opendata", "format": "csv"},
    ]
    for query in bad:
        response = client.get("/api/v1/prices/tariff", query)
        assert response.status_code == 400, (query, response.content)
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] == "invalid"


def test_the_tariff_command_writes_the_same_rows(demo_editions, tmp_path, capsys):
    _a, b = demo_editions
    target = tmp_path / "tariff.xlsx"
    call_command(
        "tariff",
        "--date=2026-11-15",
        "--source=fr-douane-opendata",
        "--format=xlsx",
        f"--output={target}",
    )
    book = openpyxl.load_workbook(target)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    expected = len(prices_in_force(on=dt.date(2026, 11, 15), source=b.source))
    assert len(rows) == expected + 3
    assert "Licence Ouverte" in capsys.readouterr().err
