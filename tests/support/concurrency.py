"""Run callables in threads, like concurrent requests or workers, and wait for them all."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def run_in_threads(target: Callable[[], None], count: int) -> None:
    """``target`` in ``count`` threads at once; returns when every one has finished.

    Each thread has its own database connection (as a worker process would), closed when
    the thread ends so that a transactional test can flush its tables.
    """

    def run() -> None:
        try:
            target()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
