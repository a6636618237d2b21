"""ch-ofdf: manual CSV/XLSX imports through ingest_file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from customs.adapters import AdapterError, DocumentRejected
from customs.models import CustomsPriceEntry, CustomsPublication, CustomsSource
from customs.services import publication_ingest_file, source_discover
from tests.customs.conftest import EDITION_1, FIXTURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def ofdf(db) -> CustomsSource:
    return CustomsSource.objects.get(slug="ch-ofdf")


@pytest.mark.parametrize("name", ["ofdf_prices.csv", "ofdf_prices.xlsx"])
def test_import_a_price_table_in_chf(ofdf, name):
    publication = publication_ingest_file(
        source=ofdf, path=FIXTURES / name, effective_date=dt.date(2026, 10, 1), note="Relevé"
    )
    assert publication.status == "ingested"
    assert publication.effective_date == dt.date(2026, 10, 1)
    assert publication.metadata["source_note"] == "Relevé"
    entries = {e.raw_label: e for e in publication.entries.all()}
    robusto = entries["Cohiba Robustos (Schachtel)"]
    assert (robusto.pack_size, robusto.pack_price, robusto.unit_price) == (
        25,
        Decimal("812.50"),
        Decimal("32.50"),
    )
    assert robusto.currency_code == "CHF"
    assert robusto.parsed["source_note"] == "Packungspreis, Zürich 2026-10"
    # No pack size column value: read from the label; no unit price: computed.
    monte = entries["Montecristo No. 2, en 10 cigares"]
    assert (monte.pack_size, monte.unit_price, monte.unit_price_computed) == (
        10,
        Decimal("24.50"),
        True,
    )


def test_the_same_file_twice_is_ingested_once(ofdf):
    first = publication_ingest_file(source=ofdf, path=FIXTURES / "ofdf_prices.csv")
    second = publication_ingest_file(source=ofdf, path=FIXTURES / "ofdf_prices.csv")
    assert first.pk == second.pk
    assert CustomsPriceEntry.objects.count() == 3


def test_a_dgddi_sheet_imported_by_hand_keeps_its_own_edition_date(douane):
    publication = publication_ingest_file(
        source=douane, path=EDITION_1, effective_date=dt.date(2030, 1, 1)
    )
    assert publication.effective_date == dt.date(2026, 9, 1)
    assert publication.entry_count == 26


def test_bad_rows_fail_with_their_row_and_keep_nothing(ofdf, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("label;pack_size;price\nCohiba Siglo VI;10;120\nPunch Punch;150;90\n")
    with pytest.raises(Exception, match=r"Row 2 .*pack size"):
        publication_ingest_file(source=ofdf, path=bad)
    publication = CustomsPublication.objects.get(source=ofdf)
    assert (publication.status, publication.failed_stage) == ("failed", "parse")
    assert CustomsPriceEntry.objects.count() == 0


def test_missing_columns_are_named(ofdf, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,cost\nA,1\n")
    with pytest.raises(Exception, match="Missing column"):
        publication_ingest_file(source=ofdf, path=bad)


def test_binary_junk_is_refused_before_storage(ofdf, tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(DocumentRejected):
        publication_ingest_file(source=ofdf, path=junk)
    assert CustomsPublication.objects.count() == 0


def test_an_oversized_file_is_refused(ofdf, tmp_path, monkeypatch):
    from customs.adapters.manual import ManualTable

    monkeypatch.setattr(ManualTable, "max_bytes", 10)
    with pytest.raises(AdapterError, match="limit"):
        publication_ingest_file(source=ofdf, path=FIXTURES / "ofdf_prices.csv")


def test_manual_channel_has_nothing_to_discover(ofdf, http_client):
    outcome = source_discover(source=ofdf, client=http_client)
    assert not outcome.configured
    assert "ingest_file --source ch-ofdf" in outcome.message
