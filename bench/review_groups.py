"""Benchmark: review groups on the current database (run ``make demo`` or load a real
edition first).

    DEBUG=true python bench/review_groups.py [--repeat 20]

Prints, for the pending queue of the database ``manage.py`` uses:
- the pending lines and the items (products) they make;
- the time to key every pending entry from scratch (``group_members_refresh``, full
  recompute) and the time of the incremental refresh every page view does;
- the median time of the queue (changelist) and of a review page, rendered by the admin
  through Django's test client as a logged-in superuser (no network, no browser).

Figures are printed, never asserted: the machine decides them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cigarspace.settings")


def _median_ms(action, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from matching.group_selectors import queue_counts
    from matching.selectors import review_queue
    from matching.services.groups import group_members_refresh

    started = time.perf_counter()
    keyed = group_members_refresh(recompute=True)
    full_ms = (time.perf_counter() - started) * 1000
    counts = queue_counts(review_queue())
    print(f"pending: {counts.lines} lines, {counts.items} items (products)")
    print(f"keying {keyed} pending entries from scratch: {full_ms:.0f} ms")
    refresh_ms = _median_ms(group_members_refresh, args.repeat)
    print(f"incremental refresh (nothing new): {refresh_ms:.1f} ms")

    user = get_user_model().objects.filter(is_admin=True, is_active=True).first()
    if user is None:
        print("no staff user: the page timings are skipped")
        return
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    changelist = reverse("admin:matching_cigarcustomsmatch_changelist")
    first = review_queue().first()
    for name, url in (
        ("queue page", changelist),
        ("review page", reverse("admin:matching_review", args=[first.price_entry_id])
         if first is not None else None),
    ):  # fmt: skip
        if url is None:
            continue
        status = client.get(url).status_code
        print(f"{name}: {_median_ms(lambda url=url: client.get(url), args.repeat):.0f} ms "
              f"(median, HTTP {status})")  # fmt: skip


if __name__ == "__main__":
    main()
