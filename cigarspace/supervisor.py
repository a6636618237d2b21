"""A small process supervisor: run a few commands side by side, stop them all together.

``make demo`` serves the admin and the API (runserver) with a django-q2 worker (qcluster)
beside it. Each child runs in its own session, so a Ctrl-C in the terminal reaches only
the supervisor, which then stops every child in order: SIGINT (qcluster and runserver
both shut down cleanly on it), then SIGTERM, then SIGKILL for whatever outlives the grace
period. If one child dies on its own, the others are stopped too: a demo without its
worker would leave every queued job dead.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2


@dataclass
class Child:
    name: str
    process: subprocess.Popen


def _stop(children: list[Child], *, grace: float) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        alive = [c for c in children if c.process.poll() is None]
        if not alive:
            return
        for child in alive:
            logger.info("stopping %s (pid %s) with %s", child.name, child.process.pid, sig.name)
            try:
                child.process.send_signal(sig)
            except ProcessLookupError:
                continue
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(c.process.poll() is None for c in alive):
            time.sleep(POLL_SECONDS)


def supervise(
    commands: Mapping[str, Sequence[str]],
    *,
    grace: float = 10.0,
    on_start: Callable[[list[Child]], None] | None = None,
) -> int:
    """Start ``commands`` (name → argv), wait, and stop them all; returns the exit status.

    0 when stopped by SIGINT/SIGTERM; otherwise the status of the first child that exited
    on its own (1 if that status was 0: a server is not supposed to stop by itself).
    """
    stop_requested: list[int] = []

    def request_stop(signum, _frame) -> None:
        stop_requested.append(signum)

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    children: list[Child] = []
    status = 0
    try:
        for name, argv in commands.items():
            process = subprocess.Popen(list(argv), start_new_session=True)  # noqa: S603
            children.append(Child(name, process))
            logger.info("started %s (pid %s): %s", name, process.pid, " ".join(argv))
        if on_start is not None:
            on_start(children)
        while not stop_requested:
            exited = next((c for c in children if c.process.poll() is not None), None)
            if exited is not None:
                status = exited.process.returncode or 1
                logger.error("%s exited with status %s; stopping the others", exited.name, status)
                break
            time.sleep(POLL_SECONDS)
    finally:
        _stop(children, grace=grace)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status
