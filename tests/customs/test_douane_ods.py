"""The DGDDI ODS extractor and the section state machine on the two fixture editions."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import pytest

from customs.adapters.base import AdapterError, DocumentRejected
from customs.adapters.douane_ods import DouaneOds, DouaneOpendataIndex
from customs.rows import PriceTableReader, TableError, entry_from_row, parse_edition_line
from tests.customs.conftest import EDITION_1, EDITION_2, FIXTURES
from tests.customs.fixtures.build_fixtures import EDITION_1_CIGARS, write_ods


@pytest.fixture(scope="module")
def edition_1():
    return DouaneOds(source=None).extract(path=EDITION_1)


@pytest.fixture(scope="module")
def edition_2():
    return DouaneOds(source=None).extract(path=EDITION_2)


def by_label(extraction, label):
    return next(e for e in extraction.entries if e.raw_label == label)


def test_edition_line_gives_both_dates(edition_1, edition_2):
    assert edition_2.title == "Arrêté du 29 septembre 2026, applicable au 1er novembre 2026"
    assert edition_2.arrete_date == dt.date(2026, 9, 29)
    assert edition_2.effective_date == dt.date(2026, 11, 1)
    assert edition_1.effective_date == dt.date(2026, 9, 1)


def test_only_cigar_rows_are_entries(edition_1):
    product_rows = [r for r in EDITION_1_CIGARS if len(r) == 6]
    assert len(edition_1.entries) == len(product_rows) == 26
    assert {e.category for e in edition_1.entries} == {"Cigares et cigarillos"}
    labels = " ".join(e.raw_label for e in edition_1.entries)
    for intruder in ("Marlboro", "Philip Morris", "Terea", "Camel", "Fine Coupe"):
        assert intruder not in labels
    # The other sections were seen, counted, and skipped.
    assert edition_1.metadata["rows_per_category"]["Cigarettes"] == 2
    assert (
        edition_1.metadata["rows_per_category"][
            "Tabacs fine coupe destinés à rouler les cigarettes"
        ]
        == 2
    )


def test_supplier_and_maker_blocks_do_not_change_the_category(edition_1):
    fleur = by_label(edition_1, "Fleur de Savane Ecuador (boîte métal), en 20 cigares")
    assert (fleur.supplier, fleur.maker) == ("LOGISTA France n°01", "SEITA")
    padron = by_label(edition_1, "Padron 1926, N° 9")
    assert padron.maker == "DIVERS LOGISTA"
    cohiba = by_label(edition_1, "Cohiba Robustos, en 25 cigares")
    # A new FOURNISSEUR resets the maker, but the category stays the cigar one.
    assert (cohiba.supplier, cohiba.maker, cohiba.category) == (
        "COPROVA n°16",
        "",
        "Cigares et cigarillos",
    )


def test_new_numeric_prices_win(edition_1):
    entry = by_label(edition_1, "Cohiba Robustos, en 25 cigares")
    assert (entry.unit_price, entry.pack_price) == (Decimal("82.00"), Decimal("2050.00"))
    assert (entry.old_unit_price, entry.old_pack_price) == (Decimal("80.00"), Decimal("2000.00"))
    assert entry.pack_size == 25
    assert not entry.unit_price_computed
    assert not entry.price_mismatch


def test_sans_changement_takes_the_old_prices(edition_1):
    entry = by_label(edition_1, "Lucky Strike Cigarillos, en 10 cigares")
    assert (entry.unit_price, entry.pack_price) == (Decimal("0.60"), Decimal("6.00"))
    assert entry.parsed["price_status"] == "unchanged"


def test_sans_changement_only_in_the_pack_column(edition_1):
    entry = by_label(edition_1, "Cohiba Robustos (5 étuis de 3), en 3 cigares")
    assert (entry.unit_price, entry.pack_price) == (Decimal("82.00"), Decimal("246.00"))
    assert entry.parsed["price_status"] == "unchanged"
    assert entry.packaging == "5 étuis de 3"


def test_never_mix_an_old_unit_with_a_new_pack():
    entry = entry_from_row(
        ["Foo Robusto, en 10 cigares", None, 9.0, 90.0, None, 100.0],
        row_number=1,
        category="Cigares et cigarillos",
    )
    # The new pack alone: the unit comes from it, not from the old unit column.
    assert (entry.unit_price, entry.pack_price) == (Decimal("10.00"), Decimal("100.00"))
    assert entry.unit_price_computed


def test_unit_price_computed_from_the_pack(edition_1):
    estancia = by_label(edition_1, "La Estancia #60, en 10 ciagres")
    assert (estancia.unit_price, estancia.pack_price) == (Decimal("9.50"), Decimal("95.00"))
    assert estancia.unit_price_computed
    maestra = by_label(edition_1, "Partagas Linea Maestra (coffret), 3 cigares")
    assert (maestra.pack_size, maestra.unit_price) == (3, Decimal("132.00"))
    assert maestra.unit_price_computed
    assert "unit_price_computed" in maestra.parsed["flags"]


def test_unit_times_pack_mismatch_is_flagged(edition_1):
    upmann = by_label(edition_1, "H.Upmann Coronas Junior (tube), en 25 cigares")
    assert upmann.price_mismatch
    assert "price_mismatch" in upmann.parsed["flags"]
    boxes = by_label(edition_1, "Partagas Serie D N°6, en 5 boites de 5 cigares")
    assert (boxes.pack_size, boxes.unit_price, boxes.pack_price) == (
        5,
        Decimal("17.30"),
        Decimal("86.50"),
    )
    assert not boxes.price_mismatch


def test_text_prices_in_cells(edition_1):
    short = by_label(edition_1, "Cohiba Short 88 année du cheval (coffret), en 88 cigares")
    assert short.old_pack_price == Decimal("1234.50")
    assert short.pack_price == Decimal("1320.00")
    assert short.unit_price == Decimal("15.00")
    bhk = by_label(edition_1, "Cohiba BHK 54, en 10 cigares")
    assert (bhk.old_pack_price, bhk.pack_price) == (Decimal("2400.00"), Decimal("2440.00"))
    punch = by_label(edition_1, "Punch Triunfos (10 étuis alu de 5), en 5 cigares")
    assert (punch.unit_price, punch.pack_price) == (Decimal("12.50"), Decimal("62.50"))
    quai = by_label(edition_1, "Quai d'Orsay No. 50, en 10 cigares")
    assert (quai.unit_price, quai.pack_price) == (Decimal("16.50"), Decimal("246.00"))


def test_self_closing_repeated_cells_keep_the_columns(edition_1):
    # Old unit empty (one repeated cell spans columns 1 and 2): the pack stays in column 3.
    estancia = by_label(edition_1, "La Estancia #60, en 10 ciagres")
    assert estancia.old_unit_price is None
    assert estancia.old_pack_price == Decimal("90.00")
    padron = by_label(edition_1, "Padron 1926, N° 9")
    assert (padron.unit_price, padron.pack_price, padron.pack_size) == (
        Decimal("25.00"),
        None,
        None,
    )


def test_retrait_marks_a_withdrawn_product_and_keeps_its_last_price(edition_2):
    entry = by_label(edition_2, "Trinidad Reyes, en 12 cigares")
    assert entry.is_withdrawn
    assert (entry.unit_price, entry.pack_price) == (Decimal("18.00"), Decimal("216.00"))
    assert "withdrawn" in entry.parsed["flags"]


def test_rename_and_new_product(edition_2):
    renamed = by_label(edition_2, "Capitol Art Deco E.L. (coffret), en 10 cigares")
    assert renamed.new_label == "Capitol Art Deco Edition Limitée 2026 (coffret), en 10 cigares"
    # The label in force after the rename drives the parsed fields.
    assert renamed.normalised_label == "capitol art deco edition limitee 2026"
    assert renamed.parsed["editions"] == ["Edition Limitée 2026"]
    new = by_label(edition_2, "Cohiba Siglo VI (tube), en 3 cigares")
    assert new.new_label == ""
    assert new.parsed["is_new_product"]
    assert (new.old_unit_price, new.unit_price, new.pack_size) == (None, Decimal("45.00"), 3)


def test_row_numbers_are_sheet_rows(edition_1):
    assert edition_1.entries[0].row_number == 16
    assert len({e.row_number for e in edition_1.entries}) == len(edition_1.entries)


def test_html_instead_of_ods_is_rejected(tmp_path):
    page = tmp_path / "blocked.ods"
    page.write_bytes(b"<!DOCTYPE html><html><body>Access denied</body></html>")
    with pytest.raises(DocumentRejected, match="HTML page"):
        DouaneOds(source=None).check_document(page)


def test_truncated_ods_is_rejected(tmp_path):
    truncated = tmp_path / "truncated.ods"
    truncated.write_bytes(EDITION_1.read_bytes()[:1500])
    DouaneOds(source=None).check_document(truncated)  # starts with PK: passes the sniff
    with pytest.raises(DocumentRejected, match="truncated or damaged"):
        DouaneOds(source=None).extract(path=truncated)


def test_a_zip_that_is_not_an_ods_is_rejected(tmp_path):
    other = tmp_path / "other.ods"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("mimetype", "application/zip")
    with pytest.raises(DocumentRejected, match="Not an ODS"):
        DouaneOds(source=None).extract(path=other)


def test_a_sheet_without_edition_line_fails(tmp_path):
    path = write_ods(
        tmp_path / "no-edition.ods",
        [["Cigares et cigarillos"], ["Cohiba Robustos, en 25 cigares", None, 1, 25, 1, 25]] * 4,
    )
    with pytest.raises(AdapterError, match="No edition line"):
        DouaneOds(source=None).extract(path=path)


def test_unknown_category_closes_the_cigar_section():
    rows = [
        ["Arrêté du 2 mars 2026, applicable au 1er avril 2026"],
        ["Cigares et cigarillos"],
        ["Cohiba Robustos, en 25 cigares", None, 80.0, 2000.0, 82.0, 2050.0],
        ["Produits à mâcher divers"],
        ["Chew Mint, en 20 g", None, 5.0, 5.0, 5.5, 5.5],
    ]
    table = PriceTableReader().read(enumerate(rows))
    assert [e.raw_label for e in table.entries] == ["Cohiba Robustos, en 25 cigares"]


def test_a_junk_price_names_its_row():
    rows = [
        ["Arrêté du 2 mars 2026, applicable au 1er avril 2026"],
        ["Cigares et cigarillos"],
        ["Cohiba Robustos, en 25 cigares", None, "quatre-vingts", 2000.0, 82.0, 2050.0],
    ]
    with pytest.raises(TableError, match=r"Row 2, column C \(old unit price\)"):
        PriceTableReader().read(enumerate(rows))


def test_parse_edition_line_variants():
    line = parse_edition_line("Arrêté du 1er février 2025, applicable au 3 mars 2025")
    assert (line.arrete_date, line.effective_date) == (dt.date(2025, 2, 1), dt.date(2025, 3, 3))
    assert parse_edition_line("Prix de vente au détail") is None
    line = parse_edition_line("ARRÊTÉ DU 12 MAI 2025, applicables à compter du 2 juin 2025")
    assert line.effective_date == dt.date(2025, 6, 2)
    line = parse_edition_line("Arrete du 3 aout 2025 en vigueur au 1er septembre 2025")
    assert (line.arrete_date, line.effective_date) == (dt.date(2025, 8, 3), dt.date(2025, 9, 1))


def test_index_page_lists_ods_links_and_pdf_twins():
    html = (FIXTURES / "douane_index.html").read_text(encoding="utf-8")
    documents = DouaneOpendataIndex.documents_from_html(
        html, base_url="https://www.douane.gouv.fr/la-douane/opendata/categories/tabacs"
    )
    urls = [d.url for d in documents]
    assert urls == [
        "https://www.douane.gouv.fr/sites/default/files/2026-10/05/Maquette%20JORF%201er%20novembre%202026.ods",
        "https://www.douane.gouv.fr/sites/default/files/2026-10/05/Maquette%20JORF%201er%20novembre%202026_0.ods",
        "https://www.douane.gouv.fr/sites/default/files/2026-08/03/Maquette%20JORF%20Septembre%202026.ods",
    ]
    first, duplicate, september = documents
    assert first.metadata["pdf_twin"].endswith("Maquette%20JORF%201er%20novembre%202026.pdf")
    assert duplicate.metadata["pdf_twin"] == first.metadata["pdf_twin"]
    assert "pdf_twin" not in september.metadata
    assert first.title == "Maquette JORF 1er novembre 2026.ods"


def test_a_zip_bomb_is_refused_before_reading(tmp_path, monkeypatch):
    import customs.adapters.base as base

    monkeypatch.setattr(base, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(DocumentRejected, match="would unpack"):
        DouaneOds(source=None).extract(path=EDITION_1)


def test_one_cigar_in_several_presentations_stays_several_entries(edition_1):
    from customs.labels import label_key

    robustos = [e for e in edition_1.entries if e.normalised_label == "cohiba robusto"]
    assert [(e.pack_size, e.unit_price, e.packaging) for e in robustos] == [
        (25, Decimal("82.00"), ""),
        (3, Decimal("82.00"), "5 étuis de 3"),
        (3, Decimal("90.00"), "tube - 5 étuis de 3"),
    ]
    assert len({label_key(e.raw_label) for e in robustos}) == 3
