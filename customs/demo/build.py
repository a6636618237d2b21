"""Regenerate the demo editions: ``python -m customs.demo.build`` (the .ods files are committed).

The sheet writer is the one the customs test fixtures use (real « Maquette JORF » layout,
empty cells as self-closing repeated cells), imported rather than copied so that the demo
and the parser's tests always exercise the same file shape. It needs the repository
checkout (tests/ is not installed); ``make demo`` only reads the committed files.
"""

from __future__ import annotations

from pathlib import Path

from customs.demo import DEMO_DIR
from customs.demo.editions import EDITION_A_FILE, EDITION_B_FILE, edition_rows


def build(directory: Path = DEMO_DIR) -> list[Path]:
    from tests.customs.fixtures.build_fixtures import write_ods

    return [
        write_ods(directory / EDITION_A_FILE, edition_rows("A")),
        write_ods(directory / EDITION_B_FILE, edition_rows("B")),
    ]


if __name__ == "__main__":
    for path in build():
        print(f"wrote {path} ({path.stat().st_size} bytes)")
