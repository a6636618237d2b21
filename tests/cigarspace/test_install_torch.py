"""scripts/install-torch.sh never falls back to PyPI's CUDA build of torch on Linux (where
the suite runs): with no source offering the CPU build and the CPU index out of reach, it
stops and says why.

A stand-in ``python`` records what the script asks of it (no package is installed)."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "install-torch.sh"

FAKE_PYTHON = """#!/usr/bin/env bash
echo "$*" >> "{log}"
case "$1" in
  -c) [[ -n "{installed}" ]] && echo "{installed}" && exit 0; exit 1 ;;
  -m) exit 1 ;;   # pip install: no source offers it
  -) exit 1 ;;    # the index probe: unreachable
esac
"""


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(tmp_path: Path, installed: str = "") -> tuple[subprocess.CompletedProcess, str]:
    log = tmp_path / "calls.log"
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON.format(log=log, installed=installed))
    python.chmod(0o755)
    env = {**os.environ, "TORCH_CPU_INDEX": f"http://127.0.0.1:{_closed_port()}/whl/cpu"}
    result = subprocess.run(
        ["bash", str(SCRIPT), str(python)], capture_output=True, text=True, env=env, timeout=60
    )
    return result, log.read_text() if log.exists() else ""


def test_without_a_cpu_source_it_stops_instead_of_installing_the_cuda_build(tmp_path):
    result, calls = _run(tmp_path)
    assert result.returncode == 1
    assert "no source offers torch 2.13.0+cpu" in result.stderr
    pip_calls = [line for line in calls.splitlines() if line.startswith("-m pip install")]
    # Only ever the +cpu pin: a plain torch==2.13.0 would match PyPI's CUDA wheel.
    assert pip_calls == ["-m pip install --quiet torch==2.13.0+cpu"]


def test_an_installed_cpu_build_is_kept(tmp_path):
    result, calls = _run(tmp_path, installed="2.13.0+cpu")
    assert result.returncode == 0
    assert "pip install" not in calls
