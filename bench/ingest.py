"""Benchmark: a 4,000-row DGDDI edition end to end, a 200 MB DILA archive streamed, and a
5,000-line CMT CSV (Spain) ingested twice as weekly snapshots.

    python bench/ingest.py [--rows 4000] [--archive-megabytes 200] [--cmt-rows 5000]
                           [--only cmt]

1. Generates a DGDDI « Maquette JORF » ODS in the real layout (edition line, headers,
   cigarettes and rolling-tobacco sections around a cigar section of ``--rows`` lines)
   and runs ``publication_ingest_file`` on it: store the raw bytes, parse, ingest every
   entry with its diff, in one transaction that is rolled back afterwards. Targets:
   <= 15 s and <= 300 MB peak RSS.
2. Generates a JORF archive of about ``--archive-megabytes`` (compressed) holding the
   homologation arrêté among thousands of unrelated texts, and extracts it (streamed,
   member by member). Target: peak RSS <= 200 MB whatever the archive size.
3. Generates a CMT « Precios de labores » CSV export (``;``, cp1252, three columns) of
   ``--cmt-rows`` lines and ingests it as the Península snapshot, then a changed snapshot
   (a tenth of the prices up, a few lines gone and new) diffed against the first.
   Targets: each <= 10 s, and <= 300 MB peak RSS.

Each measurement runs in a child process so that its peak resident memory (ru_maxrss) is
its own. Figures are printed, never asserted. Nothing is left behind: temporary files,
a temporary blob store, and a rolled-back transaction.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "cigarspace_bench_customs"

BRANDS = [
    "Cohiba", "Montecristo", "Partagas", "Romeo y Julieta", "Hoyo de Monterrey", "H.Upmann",
    "Bolivar", "Trinidad", "Punch", "Ramon Allones", "Juan Lopez", "San Cristobal",
    "Vegas Robaina", "Quai d'Orsay", "Cuaba", "Por Larrañaga", "Davidoff", "Padron",
    "Arturo Fuente", "Oliva", "Rocky Patel", "Ashton", "Plasencia", "Joya de Nicaragua",
]  # fmt: skip
VITOLAS = [
    "Robustos", "Siglo VI", "Serie D n°4", "Petit Coronas", "Churchills", "Epicure No 2",
    "Magnum 50", "Belicosos Finos", "Coronas Junior", "BHK 54", "Wide Edmundo", "Toro",
    "Double Corona", "Lancero", "Short Robusto", "Gran Reserva 2017", "Edition Limitée 2021",
    "Maduro 5 Genios", "Piramides", "Half Corona",
]  # fmt: skip
PACKAGING = [
    "",
    " (tube)",
    " (coffret)",
    " (5 étuis de 3)",
    " (boîte métal)",
    " (tube - 5 étuis de 3)",
]
PACKS = [3, 5, 10, 12, 20, 25, 50]


def dgddi_rows(count: int, seed: int = 7) -> list[list]:
    from tests.customs.fixtures.build_fixtures import CIGARETTES, HEADER_ROWS, ROLLING, SC

    rng = random.Random(seed)
    cigars: list[list] = [["FOURNISSEUR : COPROVA n°16"], ["Cigares et cigarillos"]]
    for index in range(count):
        if index % 400 == 0:
            cigars.append([f"FABRICANT : MAKER {index // 400}"])
        pack = rng.choice(PACKS)
        label = (
            f"{rng.choice(BRANDS)} {rng.choice(VITOLAS)} {index}"
            f"{rng.choice(PACKAGING)}, en {pack} cigares"
        )
        unit = round(rng.uniform(2, 90), 1)
        old = [unit, round(unit * pack, 2)]
        kind = index % 10
        if kind < 5:
            new = [SC, SC]
        elif kind < 8:
            new = [round(unit * 1.04, 2), round(unit * 1.04 * pack, 2)]
        elif kind == 8:
            new = [None, round(unit * 1.05 * pack, 2)]  # pack only: unit computed
        else:
            new = [None, SC]  # Sans changement only in the pack column
        cigars.append([label, None, *old, *new])
    return [
        ["Arrêté du 29 septembre 2026, applicable au 1er novembre 2026"],
        *HEADER_ROWS,
        *CIGARETTES,
        *cigars,
        ["FOURNISSEUR : LOGISTA France n°01"],
        *ROLLING,
    ]


CMT_BRANDS = [
    "COHIBA", "MONTECRISTO", "PARTAGÁS", "ROMEO Y JULIETA", "HOYO DE MONTERREY", "H. UPMANN",
    "BOLÍVAR", "TRINIDAD", "PUNCH", "RAMÓN ALLONES", "JUAN LÓPEZ", "SAN CRISTÓBAL DE LA HABANA",
    "VEGAFINA", "FLOR DE FILIPINAS", "DAVIDOFF", "PADRÓN", "ARTURO FUENTE", "OLIVA", "NUB",
]  # fmt: skip
CMT_PRODUCTS = [
    "Robustos", "Siglo VI", "Serie D N° 4", "Petit Coronas", "Churchills", "Epicure N° 2",
    "Magnum 50", "Belicosos Finos", "Coronas Junior", "Behike BHK 54", "Wide Edmundo",
    "Toro 6x50", "Robusto 5 1/4x54", "Half Corona Latas", "Coronas Mazo", "Siglo II Tubos",
    "Short Churchills Jarra",
]  # fmt: skip


def cmt_rows(count: int, *, seed: int = 11, changed: bool = False) -> list[tuple[str, str, str]]:
    """``count`` lines of the CMT list; ``changed``: the next week's snapshot of it."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        brand, product = rng.choice(CMT_BRANDS), rng.choice(CMT_PRODUCTS)
        pack = rng.choice(["(25)", "(10)", "(3)", "(el envase de 5)", ""])
        price = round(rng.uniform(0.3, 90), 2)
        if changed and index % 10 == 0:
            price = round(price * 1.05, 2)
        if changed and index % 500 == 7:
            continue  # withdrawn from the list
        name = f"{brand} {product} {index} {pack}".strip()
        surcharge = round(price * 1.05, 2)
        rows.append((name, f"{price:.2f}".replace(".", ","), f"{surcharge:.2f}".replace(".", ",")))
    if changed:
        rows += [(f"CUABA Novedad {n} (10)", "12,00", "12,60") for n in range(count // 500)]
    return rows


def child_cmt(path: Path, store_dir: Path) -> dict:
    _django(store_dir)
    from django.db import transaction

    from customs.models import CustomsSource
    from customs.services import publication_ingest_file

    changed = path.with_name("cmt-changed.csv")
    source = CustomsSource.objects.get(slug="es-cmt")
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with transaction.atomic():
        started = time.perf_counter()
        first = publication_ingest_file(source=source, path=path, zone="peninsula")
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second = publication_ingest_file(
            source=source,
            path=changed,
            zone="peninsula",
            effective_date=first.effective_date + dt.timedelta(days=7),
        )
        second_seconds = time.perf_counter() - started
        figures = {
            "status": [first.status, second.status],
            "entries": [first.entry_count, second.entry_count],
            "diff": second.metadata["diff"]["counts"],
            "disappeared": len(second.metadata["diff"]["disappeared_entry_ids"]),
        }
        transaction.set_rollback(True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        **figures,
        "seconds": [first_seconds, second_seconds],
        "baseline_kib": baseline,
        "peak_kib": peak,
    }


def _django(store_dir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cigarspace.settings")
    os.environ.setdefault("DEBUG", "1")
    # A database of its own, migrated on first use: the benchmark never touches yours.
    os.environ["CIGARSPACE_DB_NAME"] = BENCH_DB
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if settings.DATABASES["default"]["ENGINE"] == "cigarspace.db.embedded":
        from cigarspace import embedded_db

        embedded_db.ensure_running(settings.CIGARSPACE_DATA_DIR, database=BENCH_DB)
    call_command("migrate", verbosity=0, skip_checks=True)

    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(store_dir)},
        },
    }
    settings.CUSTOMS_DOWNLOAD_DIR = store_dir / "downloads"


def child_ods(path: Path, store_dir: Path) -> dict:
    _django(store_dir)
    from django.db import transaction

    from customs.models import CustomsSource
    from customs.services import publication_ingest_file

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with transaction.atomic():
        publication = publication_ingest_file(
            source=CustomsSource.objects.get(slug="fr-douane-opendata"), path=path
        )
        elapsed = time.perf_counter() - started
        figures = {
            "status": publication.status,
            "entries": publication.entry_count,
            "computed": publication.metadata["parse"]["computed_unit_prices"],
            "mismatches": publication.metadata["parse"]["price_mismatches"],
        }
        transaction.set_rollback(True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {**figures, "seconds": elapsed, "baseline_kib": baseline, "peak_kib": peak}


def child_archive(path: Path, store_dir: Path) -> dict:
    _django(store_dir)
    from customs.adapters.dila import DilaArchive

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    extraction = DilaArchive(source=None).extract(path=path)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "texts": len(extraction.metadata["texts"]),
        "members": extraction.metadata["xml_members"],
        "entries": len(extraction.entries),
        "seconds": elapsed,
        "baseline_kib": baseline,
        "peak_kib": peak,
    }


def run_child(kind: str, path: Path, store_dir: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path), str(store_dir)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode != 0:
        sys.exit(f"The {kind} child failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--archive-megabytes", type=int, default=200)
    parser.add_argument("--cmt-rows", type=int, default=5000)
    parser.add_argument("--only", choices=("cmt",), help="Run the CMT case alone.")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FILE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path, directory = args.child
        work = {"ods": child_ods, "archive": child_archive, "cmt": child_cmt}[kind]
        print(json.dumps(work(Path(path), Path(directory))))
        return

    from customs.demo.spain_layouts import cmt_csv_bytes
    from tests.customs.fixtures.build_fixtures import write_dila_archive, write_ods

    verdicts = []
    with tempfile.TemporaryDirectory(prefix="bench-customs-") as directory:
        root = Path(directory)
        if args.only in (None, "cmt"):
            csv_path = root / "cmt-bench.csv"
            print(f"Generating a {args.cmt_rows}-line CMT CSV (and next week's) …", flush=True)
            csv_path.write_bytes(cmt_csv_bytes(cmt_rows(args.cmt_rows)))
            (root / "cmt-changed.csv").write_bytes(
                cmt_csv_bytes(cmt_rows(args.cmt_rows, changed=True))
            )
            print(f"  {csv_path.stat().st_size / 1e6:.2f} MB", flush=True)
            figures = run_child("cmt", csv_path, root / "store")
            peak = figures["peak_kib"] / 1024
            first, second = figures["seconds"]
            print(
                f"CMT  ingest    {figures['entries'][0]} then {figures['entries'][1]} entries "
                f"({'/'.join(figures['status'])}); diff {figures['diff']}, "
                f"{figures['disappeared']} gone"
            )
            print(f"CMT  wall time {first:.2f} s first snapshot, {second:.2f} s diffed (<= 10 s)")
            print(
                f"CMT  peak RSS  {peak:.1f} MB (target <= 300 MB; "
                f"{figures['baseline_kib'] / 1024:.1f} MB before)"
            )
            verdicts.append(max(first, second) <= 10 and peak <= 300)
        if args.only == "cmt":
            print("PASS" if all(verdicts) else "FAIL: a target was missed (see above)")
            return
        ods = root / "Maquette JORF bench.ods"
        print(f"Generating a {args.rows}-row DGDDI edition …", flush=True)
        write_ods(ods, dgddi_rows(args.rows))
        print(f"  {ods.stat().st_size / 1e6:.1f} MB", flush=True)
        figures = run_child("ods", ods, root / "store")
        peak = figures["peak_kib"] / 1024
        print(
            f"ODS  ingest    {figures['entries']} entries ({figures['status']}), "
            f"{figures['computed']} computed unit prices, {figures['mismatches']} mismatches"
        )
        print(f"ODS  wall time {figures['seconds']:.2f} s (target <= 15 s)")
        print(
            f"ODS  peak RSS  {peak:.1f} MB (target <= 300 MB; "
            f"{figures['baseline_kib'] / 1024:.1f} MB before)"
        )
        ods_ok = figures["seconds"] <= 15 and peak <= 300

        archive = root / "JORF_20261003-213512.tar.gz"
        # ~100 kB of hex per padding text compresses to ~50 kB: size the count from that.
        padding_bytes = 100_000
        texts = max(1, args.archive_megabytes * 1_000_000 // (padding_bytes // 2))
        print(
            f"Generating a ~{args.archive_megabytes} MB JORF archive ({texts} texts) …", flush=True
        )
        write_dila_archive(
            archive, padding_texts=texts, padding_bytes=padding_bytes, compresslevel=1
        )
        print(f"  {archive.stat().st_size / 1e6:.1f} MB", flush=True)
        figures = run_child("archive", archive, root / "store")
        peak = figures["peak_kib"] / 1024
        print(
            f"DILA extract   {figures['members']} XML members, {figures['texts']} homologation "
            f"arrêté(s), {figures['entries']} price lines"
        )
        print(f"DILA wall time {figures['seconds']:.2f} s")
        print(
            f"DILA peak RSS  {peak:.1f} MB (target <= 200 MB; "
            f"{figures['baseline_kib'] / 1024:.1f} MB before)"
        )
        archive_ok = peak <= 200
    ok = ods_ok and archive_ok and all(verdicts)
    print("PASS" if ok else "FAIL: a target was missed (see above)")


if __name__ == "__main__":
    main()
