"""The review console's pace, as the browser measured it (``ReviewTiming``)."""

from __future__ import annotations

from matching.models import ReviewTiming

#: Longer than this is a reviewer who walked away, not a decision's time.
MAX_SECONDS = 3600.0


def review_timing_record(
    *, actor, entry_id: int, action: str, lines: int, think_ms: str | int | None
) -> ReviewTiming | None:
    """Keep the milliseconds between the page being ready and the decision key.

    ``think_ms`` comes from the page: anything that is not a sensible number is ignored
    (the decision itself stands either way).
    """
    try:
        seconds = int(str(think_ms)) / 1000
    except (TypeError, ValueError):
        return None
    if not 0 <= seconds <= MAX_SECONDS:
        return None
    return ReviewTiming.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        entry_id=entry_id,
        action=action[:32],
        lines=max(int(lines), 1),
        seconds=seconds,
    )
