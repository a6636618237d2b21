"""The demo supervisor: Ctrl-C (SIGINT) or SIGTERM stops every child; one child dying stops all.

The supervisor runs in a real child process (it installs signal handlers), its children
are real processes too, and every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

# A child that records its pid, stops cleanly on SIGINT (writing that it did) and
# otherwise sleeps until killed.
CHILD = """
import os, signal, sys, time
from pathlib import Path
out = Path(sys.argv[1])
out.with_suffix(".pid").write_text(str(os.getpid()))
def stop(signum, frame):
    out.with_suffix(".stopped").write_text(signal.Signals(signum).name)
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGTERM, stop)
for _ in range(600):
    time.sleep(0.1)
"""

SUPERVISOR = """
import sys, json
from cigarspace.supervisor import supervise
commands = json.loads(sys.argv[1])
sys.exit(supervise(commands, grace=float(sys.argv[2])))
"""


def _wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie waiting for its parent is dead for our purpose.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _start(tmp_path: Path, commands: dict, grace: float = 5.0) -> subprocess.Popen:
    import json

    return subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, json.dumps(commands), str(grace)],
        cwd=Path(__file__).resolve().parents[2],
    )


def _child(tmp_path: Path, name: str) -> list[str]:
    return [sys.executable, "-c", CHILD, str(tmp_path / name)]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_stops_every_child_cleanly(tmp_path, sig):
    supervisor = _start(
        tmp_path, {"web": _child(tmp_path, "web"), "worker": _child(tmp_path, "worker")}
    )
    try:
        assert _wait_for(lambda: all((tmp_path / f"{n}.pid").exists() for n in ("web", "worker")))
        pids = [int((tmp_path / f"{n}.pid").read_text()) for n in ("web", "worker")]

        supervisor.send_signal(sig)

        assert supervisor.wait(timeout=30) == 0
        assert not any(_alive(pid) for pid in pids)
        # Each child was asked with SIGINT first, and left on its own.
        assert (tmp_path / "web.stopped").read_text() == "SIGINT"
        assert (tmp_path / "worker.stopped").read_text() == "SIGINT"
    finally:
        if supervisor.poll() is None:
            supervisor.kill()


def test_a_child_that_dies_takes_the_others_down_with_a_failure_status(tmp_path):
    dying = [sys.executable, "-c", "import time, sys; time.sleep(0.5); sys.exit(3)"]
    supervisor = _start(tmp_path, {"web": dying, "worker": _child(tmp_path, "worker")})
    try:
        assert supervisor.wait(timeout=30) == 3
        assert (tmp_path / "worker.stopped").read_text() == "SIGINT"
    finally:
        if supervisor.poll() is None:
            supervisor.kill()


def test_a_child_deaf_to_sigint_and_sigterm_is_killed_after_the_grace(tmp_path):
    stubborn = [
        sys.executable,
        "-c",
        "import signal, time, os, sys\n"
        f"open({str(tmp_path / 'deaf.pid')!r}, 'w').write(str(os.getpid()))\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "time.sleep(120)",
    ]
    supervisor = _start(tmp_path, {"deaf": stubborn}, grace=0.5)
    try:
        assert _wait_for(lambda: (tmp_path / "deaf.pid").exists())
        pid = int((tmp_path / "deaf.pid").read_text())
        time.sleep(0.3)  # let it install its handlers

        supervisor.send_signal(signal.SIGINT)

        assert supervisor.wait(timeout=30) == 0
        assert not _alive(pid)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
