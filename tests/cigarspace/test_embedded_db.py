"""The embedded server: starts from an empty data directory, is shared across processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cigarspace import embedded_db

ROOT = Path(__file__).resolve().parents[2]

ATTACH = """
import json, sys
from pathlib import Path
from cigarspace import embedded_db
import psycopg
info = embedded_db.ensure_running(Path(sys.argv[1]))
params = dict(host=str(info.socket_dir), port=info.port, user="postgres", dbname="cigarspace")
with psycopg.connect(**params) as conn:
    conn.execute("CREATE TABLE IF NOT EXISTS marks (who text)")
    conn.execute("INSERT INTO marks VALUES (%s)", (sys.argv[2],))
    rows = [r[0] for r in conn.execute("SELECT who FROM marks ORDER BY who")]
    ext = conn.execute(
        "SELECT count(*) FROM pg_available_extensions WHERE name IN ('vector', 'pg_trgm')"
    ).fetchone()[0]
print(json.dumps({"pid": info.pid, "rows": rows, "extensions": ext}))
"""


def _attach(data_dir: Path, who: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", ATTACH, str(data_dir), who],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def data_dir(tmp_path_factory):
    # A short path: Unix socket paths are limited to about 100 bytes.
    path = tmp_path_factory.mktemp("pg")
    yield path
    embedded_db.stop(path)


def test_starts_from_empty_dir_and_a_second_process_attaches(data_dir):
    assert embedded_db.status(data_dir) is None

    first = _attach(data_dir, "first")
    info = embedded_db.status(data_dir)
    assert info is not None
    assert first["pid"] == info.pid
    assert first["extensions"] == 2  # pgvector and pg_trgm ship with the server

    second = _attach(data_dir, "second")
    assert second["pid"] == first["pid"], "the second process must reuse the running server"
    assert second["rows"] == ["first", "second"]


def test_data_survives_a_restart(data_dir):
    _attach(data_dir, "before")
    assert embedded_db.stop(data_dir) is True
    assert embedded_db.status(data_dir) is None
    assert embedded_db.stop(data_dir) is False
    after = _attach(data_dir, "after")
    assert after["rows"] == ["after", "before"]
