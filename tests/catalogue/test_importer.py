import csv
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from catalogue.importer import MAX_FILE_BYTES, ImportFileError, catalogue_import
from catalogue.models import Brand, Cigar, CigarLine, CigarPackage, SourceRecord
from tests.catalogue.conftest import HABANOS_CSV

pytestmark = pytest.mark.django_db

HEADER = [
    "external_id",
    "brand",
    "line",
    "name",
    "vitola_de_galera",
    "length_mm",
    "ring_gauge",
    "weight_g",
    "wrapper",
    "binder",
    "filler",
    "strength",
    "shape",
    "country",
    "packages",
    "source_url",
]


def write_csv(path, rows, header=HEADER):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


def row(**overrides):
    base = {
        "external_id": "x-1",
        "brand": "Cohiba",
        "line": "Siglo",
        "name": "Siglo VI",
        "vitola_de_galera": "Cañonazo",
        "length_mm": "150",
        "ring_gauge": "52",
        "weight_g": "14.5",
        "wrapper": "Cuba",
        "binder": "Cuba",
        "filler": "Cuba",
        "strength": "Medium to full",
        "shape": "Cañonazo",
        "country": "Cuba",
        "packages": "10;25",
        "source_url": "https://example.test/siglo-vi",
    }
    base.update(overrides)
    return base


def test_csv_import_creates_brand_line_cigar_blend_packages_and_provenance(tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        [
            row(),
            row(
                external_id="x-2",
                line="",
                name="Robustos",
                packages="Dress Box of 25 cigars. Cardboard Pack of 3 cigars",
            ),
        ],
    )
    result = catalogue_import(path=path)
    assert result.summary == {"created": 2, "updated": 0, "unchanged": 0, "invalid": 0}
    siglo = Cigar.objects.get(external_id="x-1")
    assert siglo.full_name == "Cohiba Siglo VI"
    assert siglo.search_name == "cohiba siglo 6"
    assert siglo.slug == "cohiba-siglo-vi"
    assert siglo.length_mm == Decimal("150.0")
    assert siglo.ring_gauge == 52
    assert siglo.weight_g == Decimal("14.50")
    assert siglo.strength == "medium-full"
    assert sorted(siglo.packages.values_list("packaging", "pack_size")) == [
        ("box", 10),
        ("box", 25),
    ]
    assert sorted(siglo.blend.values_list("role", "country")) == [
        ("binder", "Cuba"),
        ("filler", "Cuba"),
        ("wrapper", "Cuba"),
    ]
    robustos = Cigar.objects.get(external_id="x-2")
    # A blank line files the cigar under the default line named after the brand.
    assert robustos.line.name == "Cohiba"
    assert robustos.full_name == "Cohiba Robustos"
    assert sorted(robustos.packages.values_list("packaging", "pack_size")) == [
        ("box", 25),
        ("pack", 3),
    ]
    import_record = SourceRecord.objects.get(cigar=None)
    assert import_record.parser == "import_catalogue"
    assert import_record.stats["created"] == 2
    assert len(import_record.content_hash) == 64
    assert SourceRecord.objects.filter(cigar=siglo, url="https://example.test/siglo-vi").exists()


def test_jsonl_import_and_length_in_inches(tmp_path):
    path = tmp_path / "c.jsonl"
    records = [
        {
            "external_id": "j-1",
            "brand": "Montecristo",
            "name": "Montecristo No.2",
            "length_in": "6.125",
            "ring_gauge": 52,
            "packages": "box:25;tube:3",
        },
        {"brand": "Davidoff", "line": "Millennium", "name": "Robusto", "length_mm": 127},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n\n", encoding="utf-8")
    result = catalogue_import(path=path)
    assert result.summary["created"] == 2
    no2 = Cigar.objects.get(external_id="j-1")
    assert no2.full_name == "Montecristo No.2"
    assert no2.length_mm == Decimal("155.6")
    assert sorted(no2.packages.values_list("packaging", "pack_size")) == [("box", 25), ("tube", 3)]
    assert Cigar.objects.get(full_name="Davidoff Millennium Robusto").external_id is None


def test_reimport_is_idempotent_then_updates_changes(tmp_path):
    path = write_csv(tmp_path / "c.csv", [row()])
    catalogue_import(path=path)
    second = catalogue_import(path=path)
    assert second.summary == {"created": 0, "updated": 0, "unchanged": 1, "invalid": 0}
    assert Cigar.objects.count() == 1
    assert CigarPackage.objects.count() == 2
    assert SourceRecord.objects.filter(cigar=None).count() == 2  # one provenance per import

    write_csv(path, [row(ring_gauge="54", packages="25")])
    third = catalogue_import(path=path)
    assert third.summary["updated"] == 1
    cigar = Cigar.objects.get()
    assert cigar.ring_gauge == 54
    assert list(cigar.packages.values_list("pack_size", flat=True)) == [25]


def test_upsert_without_external_id_uses_brand_line_name(tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(external_id="", weight_g="")])
    catalogue_import(path=path)
    write_csv(path, [row(external_id="", brand="COHIBA", line="siglo", weight_g="15")])
    result = catalogue_import(path=path)
    assert result.summary["updated"] == 1
    assert Cigar.objects.get().weight_g == Decimal("15.00")
    assert Brand.objects.count() == 1
    assert CigarLine.objects.count() == 1


def test_external_id_moves_a_cigar_to_its_new_line(tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(line="")])
    catalogue_import(path=path)
    assert Cigar.objects.get().full_name == "Cohiba Siglo VI"
    write_csv(path, [row(line="Línea 1492")])
    assert catalogue_import(path=path).summary["updated"] == 1
    assert Cigar.objects.get().full_name == "Cohiba Línea 1492 Siglo VI"


def test_invalid_rows_are_reported_with_line_numbers_and_nothing_is_written(tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        [
            row(),
            row(external_id="x-2", name="Bad", ring_gauge="7", strength="volcanic"),
            row(external_id="x-3", name="", length_mm="abc"),
            row(external_id="x-1", name="Other"),
            row(external_id="x-5", name="Pk", packages="Dress Box of cigars"),
            row(external_id="x-6", name="Url", source_url="ftp://x"),
        ],
    )
    result = catalogue_import(path=path)
    assert not result.written
    assert {r.line_number for r in result.invalid} == {3, 4, 5, 6, 7}
    reasons = {r.line_number: " ".join(r.reasons) for r in result.invalid}
    assert "ring_gauge" in reasons[3]
    assert "strength" in reasons[3]
    assert "name: required" in reasons[4]
    assert "length_mm" in reasons[4]
    assert "repeats line 2" in reasons[5]
    assert "packages" in reasons[6]
    assert "source_url" in reasons[7]
    assert Cigar.objects.count() == 0
    assert Brand.objects.count() == 0
    assert SourceRecord.objects.count() == 0


def test_skip_invalid_writes_the_valid_rows(tmp_path):
    path = write_csv(
        tmp_path / "c.csv", [row(), row(external_id="x-2", name="Bad", ring_gauge="7")]
    )
    result = catalogue_import(path=path, skip_invalid=True)
    assert result.written
    assert result.summary == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "invalid": 1,
    }
    assert Cigar.objects.count() == 1
    assert SourceRecord.objects.get(cigar=None).stats["invalid_lines"] == [3]


def test_dry_run_counts_but_writes_nothing(tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(), row(external_id="x-2", name="Siglo V")])
    result = catalogue_import(path=path, dry_run=True)
    assert result.summary["created"] == 2
    assert not result.written
    assert Cigar.objects.count() == 0
    assert Brand.objects.count() == 0
    assert SourceRecord.objects.count() == 0


def test_file_level_errors(tmp_path):
    with pytest.raises(ImportFileError, match=r"expected a \.csv"):
        catalogue_import(path=tmp_path / "c.xlsx")
    bad_columns = write_csv(
        tmp_path / "cols.csv",
        [{"brand": "A", "name": "B", "lenght_mm": "1"}],
        header=["brand", "name", "lenght_mm"],
    )
    with pytest.raises(ImportFileError, match="unknown column"):
        catalogue_import(path=bad_columns)
    missing = write_csv(tmp_path / "missing.csv", [{"brand": "A"}], header=["brand"])
    with pytest.raises(ImportFileError, match="missing required"):
        catalogue_import(path=missing)
    latin1 = tmp_path / "latin.csv"
    latin1.write_bytes("brand,name\nPartagás,X\n".encode("latin-1"))
    with pytest.raises(ImportFileError, match="not UTF-8"):
        catalogue_import(path=latin1)
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ImportFileError, match="allowed"):
        catalogue_import(path=big)


def test_jsonl_bad_lines_are_invalid_rows(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"brand": "A", "name": "B"}\nnot json\n[1, 2]\n{"brand": "A", "name": 5.5}\n')
    result = catalogue_import(path=path)
    assert [r.line_number for r in result.invalid] == [2, 3]
    assert Cigar.objects.count() == 0


def test_brand_aliases_are_merged_into_the_brand_and_never_removed(tmp_path):
    header = [*HEADER, "brand_aliases"]
    path = write_csv(
        tmp_path / "c.csv",
        [
            row(
                brand="Montecristo",
                line="",
                name="No.2",
                brand_aliases="Monte Cristo; monte cristo;",
            ),
            row(external_id="x-2", brand="Montecristo", line="", name="No.4", brand_aliases=""),
        ],
        header=header,
    )
    first = catalogue_import(path=path)
    assert first.summary == {"created": 2, "updated": 0, "unchanged": 0, "invalid": 0}
    # Spellings are deduplicated case-insensitively; a row without any leaves them.
    assert Brand.objects.get(name="Montecristo").aliases == ["Monte Cristo"]
    assert catalogue_import(path=path).summary["unchanged"] == 2

    # A new spelling on an unchanged cigar is added to those the brand already has.
    write_csv(
        path,
        [row(brand="Montecristo", line="", name="No.2", brand_aliases="Montecristo; MC")],
        header=header,
    )
    assert catalogue_import(path=path).summary["updated"] == 1
    assert Brand.objects.get(name="Montecristo").aliases == ["Monte Cristo", "MC"]

    # A file without the column (written before it existed) changes nothing.
    write_csv(path, [row(brand="Montecristo", line="", name="No.2")])
    assert catalogue_import(path=path).summary["unchanged"] == 1
    assert Brand.objects.get(name="Montecristo").aliases == ["Monte Cristo", "MC"]


def test_a_too_long_brand_alias_is_an_invalid_row(tmp_path):
    path = write_csv(
        tmp_path / "c.csv", [row(brand_aliases="x" * 121)], header=[*HEADER, "brand_aliases"]
    )
    result = catalogue_import(path=path)
    assert not result.written
    assert "brand_aliases" in result.invalid[0].reasons[0]


def test_habanos_fixture_loads_188_cigars_with_packages():
    result = catalogue_import(path=HABANOS_CSV)
    assert result.summary == {"created": 188, "updated": 0, "unchanged": 0, "invalid": 0}
    assert Cigar.objects.count() == 188
    assert Brand.objects.count() == 30
    assert Cigar.objects.filter(packages__isnull=False).distinct().count() == 187
    siglo_vi = Cigar.objects.get(full_name="Cohiba Siglo VI")
    assert siglo_vi.vitola_de_galera == "Cañonazo"
    assert siglo_vi.line.name == "Siglo"
    assert siglo_vi.weight_g is not None
    assert siglo_vi.packages.filter(packaging="box", pack_size=10).exists()
    assert Cigar.objects.get(full_name="Partagás Serie D No.4").line.name == "Serie D"
    assert Cigar.objects.get(full_name="Cohiba Behike BHK 52").line.name == "Behike"
    assert Cigar.objects.get(full_name="Montecristo No.2").line.name == "Montecristo"
    assert Cigar.objects.get(full_name="Montecristo Double Edmundo").line.name == "Edmundo"
    # The supplier spellings of a few brands, which the matcher's brand guess reads.
    assert Brand.objects.get(name="Montecristo").aliases == ["Monte Cristo"]
    assert Brand.objects.get(name="San Cristóbal").aliases == ["San Cristóbal de La Habana"]
    assert catalogue_import(path=HABANOS_CSV).summary["unchanged"] == 188


def test_command_prints_summary_and_invalid_lines(tmp_path, capsys):
    path = write_csv(
        tmp_path / "c.csv", [row(), row(external_id="x-2", name="Bad", ring_gauge="7")]
    )
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_catalogue", str(path), verbosity=0)
    assert "line 3: ring_gauge" in capsys.readouterr().err
    assert Cigar.objects.count() == 0

    call_command("import_catalogue", str(path), "--skip-invalid", "--dry-run", verbosity=0)
    assert (
        "Dry run (nothing written): created 1, updated 0, unchanged 0, invalid 1"
        in capsys.readouterr().out
    )
    assert Cigar.objects.count() == 0

    call_command("import_catalogue", str(path), "--skip-invalid", verbosity=0)
    assert "Imported: created 1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_catalogue", str(tmp_path / "missing.csv"), verbosity=0)


def test_malformed_csv_is_a_file_error(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("brand,name\nCohiba," + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="line 2: malformed CSV"):
        catalogue_import(path=path)
    assert Cigar.objects.count() == 0
