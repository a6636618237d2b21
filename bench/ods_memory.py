"""Peak memory and time of reading crafted DGDDI sheets (issue 17, item 3).

    .venv/bin/python bench/ods_memory.py [--repeat 1048406]

Builds, in the real layout (tests/customs/fixtures/build_fixtures.py), a sheet whose
label-only row inside the cigar section is repeated ``--repeat`` times (the 13.8 kB file
that used to take 24 s and 940 MB), one repeated just under the row cap, and a plain
274-entry edition; extracts each in a fresh child process and prints its peak resident
memory (VmHWM, the child's own) and wall time. The target is ≤ 300 MB whatever the file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = """
import django, json, sys
django.setup()
from pathlib import Path
from customs.adapters.base import AdapterError
from customs.adapters.douane_ods import DouaneOds
try:
    extraction = DouaneOds(source=None).extract(path=Path(sys.argv[1]))
    out = {"entries": len(extraction.entries), "warnings": extraction.total_warnings}
except AdapterError as exc:
    out = {"refused": str(exc)[:90]}
status = Path("/proc/self/status").read_text().splitlines()
out["peak_mb"] = int(next(l for l in status if l.startswith("VmHWM:")).split()[1]) / 1024
print(json.dumps(out))
"""


def build(directory: Path, repeat: int) -> dict[str, Path]:
    from tests.customs.fixtures.build_fixtures import CIGARETTES, HEADER_ROWS, ROLLING, write_ods

    line = "Arrêté du 29 septembre 2026, applicable au 1er novembre 2026"

    def sheet(cigars: list[list]) -> list[list]:
        return [
            [line],
            *HEADER_ROWS,
            *CIGARETTES,
            ["Cigares et cigarillos"],
            *cigars,
            ["FOURNISSEUR : LOGISTA France n°01"],
            *ROLLING,
        ]

    cigars = [
        [f"Marque {n} Robusto, en 25 cigares", None, 10.0, 250.0, 10.5, 262.5] for n in range(274)
    ]
    with_label = [*cigars[:125], ["Cohiba Behike 52 (coffret), en 10 cigares"], *cigars[125:]]
    rows = sheet(with_label)
    label_row = rows.index(with_label[125])
    return {
        "edition, 274 entries and a label-only row": write_ods(directory / "plain.ods", rows),
        f"label-only row x {repeat}": write_ods(
            directory / "bomb.ods", rows, repeated={label_row: repeat}
        ),
        "label-only row x 45000 (under the cap)": write_ods(
            directory / "under.ods", rows, repeated={label_row: 45_000}
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1_048_406)
    args = parser.parse_args()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "cigarspace.settings"),
        "DEBUG": os.environ.get("DEBUG", "true"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in build(Path(tmp), args.repeat).items():
            started = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-c", CHILD, str(path)],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=env,
                check=True,
            )
            elapsed = time.perf_counter() - started
            out = json.loads(result.stdout.strip().splitlines()[-1])
            print(
                f"{name}: {path.stat().st_size} bytes, {elapsed:.2f} s (child), {json.dumps(out)}"
            )


if __name__ == "__main__":
    main()
