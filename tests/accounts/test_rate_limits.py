"""GCRA rate limits in PostgreSQL (accounts/rate_limits.py): bursts, refill, atomicity."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.models import RateLimit
from accounts.rate_limits import rate_limit_hit, rate_limits_reset
from tests.support.concurrency import run_in_threads


@pytest.mark.django_db
def test_a_burst_of_the_limit_passes_and_the_next_request_waits():
    now = 1_000_000.0
    results = [rate_limit_hit("anon:1.2.3.4", limit=5, period=60, now=now) for _ in range(5)]
    assert results == [None] * 5
    wait = rate_limit_hit("anon:1.2.3.4", limit=5, period=60, now=now)
    # One request's worth of budget (60 s / 5) comes back after 12 s.
    assert wait == pytest.approx(12.0)
    assert rate_limit_hit("anon:1.2.3.4", limit=5, period=60, now=now + 11.9) is not None
    assert rate_limit_hit("anon:1.2.3.4", limit=5, period=60, now=now + 12.0) is None
    # Another client has its own budget.
    assert rate_limit_hit("anon:5.6.7.8", limit=5, period=60, now=now) is None


@pytest.mark.django_db
def test_refused_requests_do_not_dig_the_client_deeper():
    now = 2_000_000.0
    for _ in range(3):
        assert rate_limit_hit("k", limit=3, period=30, now=now) is None
    for _ in range(50):
        assert rate_limit_hit("k", limit=3, period=30, now=now) == pytest.approx(10.0)
    assert rate_limit_hit("k", limit=3, period=30, now=now + 10) is None


@pytest.mark.django_db
def test_a_client_idle_for_a_period_has_its_whole_budget_again():
    now = 3_000_000.0
    for _ in range(4):
        assert rate_limit_hit("k", limit=4, period=8, now=now) is None
    later = now + 8
    assert [rate_limit_hit("k", limit=4, period=8, now=later) for _ in range(5)] == [
        None,
        None,
        None,
        None,
        pytest.approx(2.0),
    ]


@pytest.mark.django_db
def test_reset_forgets_every_count_or_those_of_a_prefix():
    for key in ("anon:a", "anon:b", "user:1"):
        rate_limit_hit(key, limit=1, period=60, now=10.0)
    assert rate_limit_hit("anon:a", limit=1, period=60, now=10.0) is not None
    assert rate_limits_reset(prefix="anon:") == 2
    assert rate_limit_hit("anon:a", limit=1, period=60, now=10.0) is None
    assert RateLimit.objects.filter(key="user:1").exists()
    assert rate_limits_reset() == 2  # user:1 and anon:a's new count


@pytest.mark.django_db
def test_a_limit_needs_a_positive_budget():
    with pytest.raises(ValueError, match="limit >= 1"):
        rate_limit_hit("k", limit=0, period=60, now=1.0)
    with pytest.raises(ValueError, match="period > 0"):
        rate_limit_hit("k", limit=1, period=0, now=1.0)


@pytest.mark.django_db
def test_the_table_is_unlogged():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = %s",
            [RateLimit._meta.db_table],
        )
        assert cursor.fetchone()[0] == "u"


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_lose_a_count():
    """Eight threads (eight connections) race for a budget of 40: exactly 40 pass."""
    allowed: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        for _ in range(25):
            passed = rate_limit_hit("race", limit=40, period=3600, now=5_000_000.0) is None
            with lock:
                allowed.append(passed)

    run_in_threads(worker, 8)
    assert len(allowed) == 200
    assert allowed.count(True) == 40
    rate_limits_reset()
