"""The demo's review queue as a reviewer meets it: one item per product.

After both editions are matched, every pending entry gets its review group
(``matching.services.groups``), so the admin's queue lists each demo product once, with
"appears in 2 editions, N presentations", and the summary says items and lines.
"""

from __future__ import annotations


def demo_review_queue() -> dict[str, int]:
    from matching.group_selectors import queue_counts
    from matching.selectors import review_queue
    from matching.services.groups import group_members_refresh

    group_members_refresh()
    counts = queue_counts(review_queue())
    return {"items": counts.items, "lines": counts.lines}
