"""No silent truncation: unknown rows keep the cigar section open, crafted files are refused
with bounded memory, and an edition far smaller than the previous one fails unless forced."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from customs.adapters.douane_ods import DouaneOds
from customs.models import CustomsPriceEntry, CustomsPublication, PublicationStatus
from customs.rows import MAX_WARNINGS
from tests.customs.fixtures.build_fixtures import (
    CIGARETTES,
    HEADER_ROWS,
    ROLLING,
    SC,
    write_ods,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
NOVEMBER = "Arrêté du 29 septembre 2026, applicable au 1er novembre 2026"
JANUARY = "Arrêté du 1 décembre 2026, applicable au 1er janvier 2027"
# A row the grammar does not know, as found inside a real cigar section.
LABEL_ONLY = "Cohiba Behike 52 (coffret), en 10 cigares"


def cigar_rows(count: int, *, start: int = 0) -> list[list]:
    return [
        [f"Marque {n} Robusto, en 25 cigares", None, 10.0, 250.0, SC, SC]
        for n in range(start, start + count)
    ]


def sheet(edition_line: str, cigars: list[list]) -> list[list]:
    """A whole sheet in the real layout: headers, cigarettes, the cigars, rolling tobacco."""
    return [
        [edition_line],
        *HEADER_ROWS,
        ["FOURNISSEUR : LOGISTA France n°01"],
        *CIGARETTES,
        ["Cigares et cigarillos"],
        ["FABRICANT : SEITA"],
        *cigars,
        ["FOURNISSEUR : LOGISTA France n°01"],
        *ROLLING,
    ]


def ingest(path: Path, *extra: str) -> str:
    out, err = StringIO(), StringIO()
    try:
        call_command("ingest_file", "--source", "fr-douane-opendata", str(path), *extra,
                     stdout=out, stderr=err)  # fmt: skip
    except CommandError as exc:
        raise CommandError(f"{exc}\n{err.getvalue()}") from exc
    return out.getvalue()


# --- an unknown row inside the cigar section --------------------------------------------------


def test_a_label_only_row_does_not_end_the_cigar_section():
    cigars = [*cigar_rows(125), [LABEL_ONLY], *cigar_rows(149, start=125)]
    extraction = DouaneOds.extract_rows(enumerate(sheet(NOVEMBER, cigars)))
    assert len(extraction.entries) == 274
    assert any("goes on" in w and "Behike" in w for w in extraction.warnings)
    # The rolling tobacco after the cigars, under a real heading, is still left out.
    assert not any("Camel" in e.raw_label for e in extraction.entries)


def test_an_unknown_heading_naming_another_tobacco_still_closes_the_section():
    cigars = [
        *cigar_rows(3),
        ["Produits du vapotage à chauffer"],
        ["Heets Amber, en 20 unités", None, 7.0, 7.0, 7.5, 7.5],
    ]
    extraction = DouaneOds.extract_rows(enumerate(sheet(NOVEMBER, cigars)))
    assert [e.raw_label for e in extraction.entries] == [r[0] for r in cigar_rows(3)]


def test_an_edition_with_a_label_only_row_is_ingested_whole(tmp_path, douane):
    cigars = [*cigar_rows(125), [LABEL_ONLY], *cigar_rows(149, start=125)]
    path = write_ods(tmp_path / "edition.ods", sheet(NOVEMBER, cigars))
    ingest(path)
    publication = CustomsPublication.objects.get()
    assert (publication.status, publication.entry_count) == (PublicationStatus.INGESTED, 274)


# --- repeated rows: capped, refused before they are read ------------------------------------


def _peak_extract(path: Path) -> dict:
    """Extract ``path`` in a child process; its peak resident memory and the outcome.

    The peak is the child's own ``VmHWM`` (reset by exec), not ``ru_maxrss``, which Linux
    carries over from the forking parent: pytest's own memory would be counted.
    """
    script = (
        "import django, json, sys\n"
        "django.setup()\n"
        "from pathlib import Path\n"
        "from customs.adapters.douane_ods import DouaneOds\n"
        "from customs.adapters.base import AdapterError\n"
        "try:\n"
        "    e = DouaneOds(source=None).extract(path=Path(sys.argv[1]))\n"
        "    out = {'entries': len(e.entries), 'warnings': len(e.warnings),\n"
        "           'warning_count': e.warning_count}\n"
        "except AdapterError as exc:\n"
        "    out = {'error': str(exc)}\n"
        "status = Path('/proc/self/status').read_text().splitlines()\n"
        "hwm = next(line for line in status if line.startswith('VmHWM:'))\n"
        "out['peak_mb'] = int(hwm.split()[1]) / 1024\n"
        "print(json.dumps(out))\n"
    )
    env = {"DJANGO_SETTINGS_MODULE": "cigarspace.settings_test", "DEBUG": "true"}
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_row_repeated_a_million_times_is_refused_in_bounded_memory(tmp_path):
    rows = sheet(NOVEMBER, [*cigar_rows(5), [LABEL_ONLY], *cigar_rows(5, start=5)])
    path = write_ods(tmp_path / "bomb.ods", rows, repeated={rows.index([LABEL_ONLY]): 1_048_406})
    assert path.stat().st_size < 20_000
    outcome = _peak_extract(path)
    assert "expands to more than 50000 filled rows" in outcome["error"]
    assert outcome["peak_mb"] < 300


def test_repeated_rows_under_the_cap_keep_few_warnings_and_little_memory(tmp_path):
    rows = sheet(NOVEMBER, [*cigar_rows(5), [LABEL_ONLY], *cigar_rows(5, start=5)])
    path = write_ods(tmp_path / "many.ods", rows, repeated={rows.index([LABEL_ONLY]): 40_000})
    outcome = _peak_extract(path)
    assert outcome["entries"] == 10
    assert outcome["warnings"] == MAX_WARNINGS
    assert outcome["warning_count"] == 40_000
    assert outcome["peak_mb"] < 300


def test_the_reader_caps_rows_it_is_handed(settings):
    from customs.adapters import AdapterError

    rows = sheet(NOVEMBER, cigar_rows(200))
    with pytest.raises(AdapterError, match="more than 100 rows"):
        DouaneOds.extract_rows(enumerate(rows), max_rows=100)


# --- a sharp drop of the entry count -----------------------------------------------------------


@pytest.fixture
def previous_edition(tmp_path, douane):
    path = write_ods(tmp_path / "november.ods", sheet(NOVEMBER, cigar_rows(100)))
    ingest(path)
    return CustomsPublication.objects.get(status=PublicationStatus.INGESTED)


def test_an_edition_far_smaller_than_the_previous_fails_as_a_suspected_truncation(
    tmp_path, previous_edition
):
    path = write_ods(tmp_path / "january.ods", sheet(JANUARY, cigar_rows(60)))
    with pytest.raises(CommandError, match="Suspected truncation: 60 cigar entries against 100"):
        ingest(path)
    failed = CustomsPublication.objects.exclude(pk=previous_edition.pk).get()
    assert (failed.status, failed.failed_stage) == (PublicationStatus.FAILED, "parse")
    assert "40% fewer" in failed.error
    assert not CustomsPriceEntry.objects.filter(publication=failed).exists()

    # Forced by an operator who checked it: the reason is kept, the edition goes in.
    call_command(
        "retry", str(failed.pk), "--force-count-drop", "--reason", "checked the PDF twin",
        stdout=StringIO(),
    )  # fmt: skip
    failed.refresh_from_db()
    assert (failed.status, failed.entry_count) == (PublicationStatus.INGESTED, 60)
    assert failed.metadata["count_drop_accepted"]["reason"] == "checked the PDF twin"


def test_a_small_drop_passes_and_ingest_file_can_force_a_big_one(tmp_path, previous_edition):
    ingest(write_ods(tmp_path / "january.ods", sheet(JANUARY, cigar_rows(85))))
    assert CustomsPublication.objects.filter(status=PublicationStatus.INGESTED).count() == 2
    february = "Arrêté du 5 janvier 2027, applicable au 1er février 2027"
    ingest(
        write_ods(tmp_path / "february.ods", sheet(february, cigar_rows(10))),
        "--force-count-drop",
        "a short edition, checked",
    )
    assert CustomsPublication.objects.filter(status=PublicationStatus.INGESTED).count() == 3
