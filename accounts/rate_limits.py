"""Request rate limits shared by every worker, one statement per request.

The generic cell rate algorithm (GCRA), as used by Redis' redis-cell and most API
gateways: a limit of ``limit`` requests per ``period`` seconds lets one request through
every ``period / limit`` seconds on average, with bursts of up to ``limit`` requests. The
state is one number per client, the *theoretical arrival time* (TAT): a request at
``now`` moves it to ``max(TAT, now) + period / limit`` and is allowed if that lands at
most ``period`` seconds ahead of ``now``. Counting and deciding are a single atomic
upsert, so concurrent workers never lose a count, and the row is only written when the
request is allowed (a refused client does not dig itself deeper).

Compared with DRF's cache throttles (read the list of recent request times, then write
it back: two round trips and a pickle each way, and a race between them), this halves
the database work of every API request. Clocks: times come from the worker
(``time.time``, as DRF's), so workers on several hosts need synchronised clocks.
"""

from __future__ import annotations

import random

from django.db import connection

from accounts.models import RateLimit

# Expired rows (a TAT in the past: a full budget, like no row) are deleted now and then.
PRUNE_EVERY = 1000

_TABLE = RateLimit._meta.db_table
_HIT = (
    f"INSERT INTO {_TABLE} AS r (key, theoretical_arrival) "  # noqa: S608 - model constant
    "VALUES (%(key)s, %(now)s + %(interval)s) "
    "ON CONFLICT (key) DO UPDATE "
    "SET theoretical_arrival = GREATEST(r.theoretical_arrival, %(now)s) + %(interval)s "
    "WHERE GREATEST(r.theoretical_arrival, %(now)s) + %(interval)s - %(now)s <= %(period)s "
    "RETURNING theoretical_arrival"
)
# A hair of tolerance: "100 per 60 s" must allow the 100th request of a burst even when
# 100 * (60 / 100) lands a rounding error above 60.
_EPSILON = 1e-9


def rate_limit_hit(key: str, *, limit: int, period: float, now: float) -> float | None:
    """Count one request of ``key`` against ``limit`` requests per ``period`` seconds.

    Returns ``None`` when the request is allowed, else how many seconds the client must
    wait before its next request would be.
    """
    if limit < 1 or period <= 0:
        raise ValueError("a rate limit needs limit >= 1 and period > 0")
    interval = period / limit
    params = {"key": key, "now": now, "interval": interval, "period": period + _EPSILON}
    with connection.cursor() as cursor:
        cursor.execute(_HIT, params)
        allowed = cursor.fetchone() is not None
        # A sampling decision, not a secret: random is the right tool.
        if random.randrange(PRUNE_EVERY) == 0:  # noqa: S311
            cursor.execute(f"DELETE FROM {_TABLE} WHERE theoretical_arrival < %s", [now])  # noqa: S608
        if allowed:
            return None
        cursor.execute(f"SELECT theoretical_arrival FROM {_TABLE} WHERE key = %s", [key])  # noqa: S608
        row = cursor.fetchone()
    if row is None:  # reset meanwhile (rate_limits_reset): the budget is whole again
        return None
    return max(0.0, row[0] + interval - period - now)


def rate_limits_reset(*, prefix: str = "") -> int:
    """Forget the counts of every client (or of the keys starting with ``prefix``):
    for an operator unblocking a client, and for tests. Returns how many were forgotten."""
    deleted, _ = RateLimit.objects.filter(key__startswith=prefix).delete()
    return deleted
