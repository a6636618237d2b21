"""What ``demo_setup`` prints of the price watch (``watch.demo``)."""

from __future__ import annotations

from watch.demo import WatchDemo


def watch_demo_lines(demo: WatchDemo) -> list[str]:
    events = ", ".join(f"{kind.replace('_', ' ')} {n}" for kind, n in sorted(demo.events.items()))
    lines = [
        f"Price watch (watchlist {demo.watchlist_id}): edition B raised {events or 'no event'}",
        f"  Webhook: {demo.delivered} delivered to the demo receiver on 127.0.0.1"
        + (
            f" ({demo.received_now} received now, {demo.valid_signatures} valid signatures)"
            if demo.received_now
            else " (earlier run: nothing sent twice)"
        ),
        f"  E-mail digest: {demo.digests_now} sent now to the console"
        + ("" if demo.digests_now else " (already sent: never twice)"),
        f"  Held for review ({demo.held} alert(s) waiting): "
        + ("; ".join(demo.suspects) or "none"),
        "  Suspect changes: http://127.0.0.1:8000/admin/watch/suspectchange/",
        f"  Atom feed:       http://127.0.0.1:8000{demo.feed_url}",
        "  Upcoming:        http://127.0.0.1:8000/api/v1/prices/upcoming?date=2026-10-31",
        "  Tariff:          http://127.0.0.1:8000/api/v1/prices/tariff"
        "?date=2026-11-15&source=fr-douane-opendata&format=csv",
    ]
    return lines
