"""Prices out of range fail the publication naming the row, the column and the value; and
re-running ``ingest_file`` on a failed file says so and exits non-zero."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from customs.labels import PriceParseError, parse_price
from customs.models import CustomsPriceEntry, CustomsPublication, PublicationStatus, RunOutcome
from tests.customs.fixtures.build_fixtures import CIGARETTES, HEADER_ROWS, write_ods

pytestmark = pytest.mark.django_db

EDITION = "Arrêté du 29 septembre 2026, applicable au 1er novembre 2026"


def edition_with(price_row: list) -> list[list]:
    return [
        [EDITION],
        *HEADER_ROWS,
        ["FOURNISSEUR : LOGISTA France n°01"],
        *CIGARETTES,
        ["Cigares et cigarillos"],
        ["Cohiba Robustos, en 25 cigares", None, 82.0, 2050.0, 85.0, 2125.0],
        price_row,
    ]


def ingest(source: str, path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("ingest_file", "--source", source, str(path), stdout=out, stderr=err)
    except CommandError as exc:
        raise CommandError(f"{exc}\nstdout: {out.getvalue()}\nstderr: {err.getvalue()}") from exc
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("value", [1e308, 12345678901234567890.0, "12345678901234567890"])
def test_parse_price_refuses_what_the_columns_cannot_hold(value):
    with pytest.raises(PriceParseError, match="out of range"):
        parse_price(value)


def test_the_largest_price_held_still_parses():
    assert str(parse_price("9999999999.99")) == "9999999999.99"


@pytest.mark.parametrize(
    ("cell", "shown"), [(1e308, "1e+308"), ("12345678901234567890", "12345678901234567890")]
)
def test_an_ods_price_out_of_range_fails_naming_row_column_and_value(tmp_path, douane, cell, shown):
    rows = edition_with(["Cohiba Siglo VI, en 25 cigares", None, 40.0, 1000.0, 42.0, cell])
    path = write_ods(tmp_path / "edition.ods", rows)
    with pytest.raises(CommandError) as failure:
        ingest("fr-douane-opendata", path)
    publication = CustomsPublication.objects.get()
    assert (publication.status, publication.failed_stage) == (PublicationStatus.FAILED, "parse")
    row = rows.index(rows[-1])
    assert f"Row {row}, column F (new pack price)" in publication.error
    assert shown in publication.error
    assert "InvalidOperation" not in publication.error
    assert f"Row {row}, column F" in str(failure.value)
    assert not CustomsPriceEntry.objects.exists()


def test_a_csv_price_out_of_range_fails_naming_row_column_and_value(tmp_path, db):
    path = tmp_path / "prices.csv"
    path.write_text(
        "label,pack_size,price\n"
        "Cohiba Robustos,25,1250.00\n"
        "Cohiba Siglo VI,25,12345678901234567890\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        ingest("ch-ofdf", path)
    publication = CustomsPublication.objects.get()
    assert publication.status == PublicationStatus.FAILED
    assert "Row 2 ('Cohiba Siglo VI'), column 'price'" in publication.error
    assert "12345678901234567890" in publication.error
    assert "numeric field overflow" not in publication.error
    assert not CustomsPriceEntry.objects.exists()


def test_ingesting_a_failed_file_again_exits_non_zero_and_says_how_to_retry(tmp_path, douane):
    rows = edition_with(["Cohiba Siglo VI, en 25 cigares", None, 40.0, 1000.0, 42.0, 1e308])
    path = write_ods(tmp_path / "edition.ods", rows)
    with pytest.raises(CommandError):
        ingest("fr-douane-opendata", path)
    publication = CustomsPublication.objects.get()

    with pytest.raises(CommandError) as again:
        ingest("fr-douane-opendata", path)
    message = str(again.value)
    assert "1 file(s) could not be imported" in message
    assert f"publication {publication.pk} failed at its parse stage" in message
    assert f"manage.py retry {publication.pk}" in message
    assert "Imported 0 of 1 file(s)." in message
    assert CustomsPublication.objects.get().status == PublicationStatus.FAILED
    assert publication.runs.order_by("-started_at").first().outcome == RunOutcome.FAILED
