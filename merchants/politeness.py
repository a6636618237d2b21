"""Crawling politely: robots.txt, a per-host rate limit with a concurrency of one.

- ``HostRateLimiter.slot(url)`` holds a PostgreSQL advisory lock on the URL's host for the
  duration of one request, so that two workers never talk to one shop at the same time,
  and waits until the host's ``CrawlHost.next_allowed_at`` (stored in the database, so
  the spacing holds across processes and across runs) before letting the request go.
- ``PoliteHttpClient`` is the project's ``HttpClient`` with every GET taken through that
  slot; its retry sleeps (backoff, ``Retry-After``) are never shorter than the crawl
  delay, so a 429 slows the crawl down instead of hammering the shop.
- ``RobotsPolicy`` reads robots.txt with protego: rules and ``Crawl-delay`` for our
  User-Agent, and the sitemaps it announces.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.db import connection, transaction
from django.utils import timezone
from protego import Protego

from cigarspace.http import FetchResult, HttpClient, HttpError
from merchants.models import CrawlHost

logger = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024
# Advisory lock keys are 64-bit integers; this namespace keeps ours apart from others'.
_LOCK_NAMESPACE = 0x4D45524348  # "MERCH"


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return (parts.netloc or "").lower()


class HostRateLimiter:
    """At most one request at a time per host, at least ``interval`` seconds apart."""

    def __init__(
        self,
        *,
        interval: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = max(0.0, float(interval))
        self.sleep = sleep
        self.waited = 0.0

    def set_interval(self, interval: float, *, url: str | None = None) -> None:
        """Raise the interval (robots.txt's Crawl-delay); with ``url``, the host's next
        turn moves too, so the request right after robots.txt already waits for it."""
        self.interval = max(self.interval, float(interval))
        if url is None:
            return
        row = CrawlHost.objects.filter(host=host_of(url)).first()
        if row is not None and row.last_request_at is not None:
            later = row.last_request_at + timedelta(seconds=self.interval)
            if row.next_allowed_at is None or later > row.next_allowed_at:
                CrawlHost.objects.filter(pk=row.pk).update(next_allowed_at=later)

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        host = host_of(url)
        key = _lock_key(host)
        with connection.cursor() as cursor:
            # Session-level lock: held across the request without holding a transaction.
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            self._wait_turn(host)
            try:
                yield
            finally:
                self._book_next(host)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])

    def _wait_turn(self, host: str) -> None:
        row, _ = CrawlHost.objects.get_or_create(host=host)
        if row.next_allowed_at is not None:
            wait = (row.next_allowed_at - timezone.now()).total_seconds()
            if wait > 0:
                self.waited += wait
                self.sleep(wait)

    def _book_next(self, host: str) -> None:
        now = timezone.now()
        with transaction.atomic():
            CrawlHost.objects.filter(host=host).update(
                last_request_at=now, next_allowed_at=now + timedelta(seconds=self.interval)
            )


def _lock_key(host: str) -> int:
    # A stable key (Python's hash() is salted per process): namespace in the high bits,
    # the host's CRC-32 in the low ones; fits PostgreSQL's signed bigint.
    return (_LOCK_NAMESPACE << 24) ^ zlib.crc32(host.encode())


class PoliteHttpClient(HttpClient):
    """``HttpClient`` whose GETs wait their turn for the host (see ``HostRateLimiter``)."""

    def __init__(self, *, limiter: HostRateLimiter, **kwargs: Any) -> None:
        self.limiter = limiter
        base_sleep = kwargs.pop("sleep", time.sleep)

        def polite_sleep(delay: float) -> None:
            # A retry is a request too: never sooner than the crawl delay.
            base_sleep(max(delay, self.limiter.interval))

        super().__init__(sleep=polite_sleep, **kwargs)

    def get(self, url: str, **kwargs: Any) -> FetchResult:
        with self.limiter.slot(url):
            return super().get(url, **kwargs)


@dataclass
class RobotsPolicy:
    """What robots.txt allows us. ``allow_all`` when the site has none (4xx)."""

    user_agent: str
    parser: Protego | None = None
    status: int | None = None
    sitemaps: list[str] = field(default_factory=list)
    refuse_all: bool = False
    note: str = ""

    def allowed(self, url: str) -> bool:
        if self.refuse_all:
            return False
        if self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, self.user_agent))

    @property
    def crawl_delay(self) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(self.user_agent)
        return float(delay) if delay is not None else None


def robots_agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against ("CigarSpace/0.1 …" →
    "CigarSpace")."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"


def robots_fetch(
    *, client: HttpClient, base_url: str, user_agent: str
) -> tuple[RobotsPolicy, FetchResult | None, HttpError | None]:
    """Fetch and parse ``/robots.txt`` (RFC 9309: a 4xx means no rules; a server error or
    an unreachable server means "crawl nothing" until it answers)."""
    url = urljoin(base_url, "/robots.txt")
    token = robots_agent_token(user_agent)
    try:
        result = client.get(url, max_bytes=ROBOTS_MAX_BYTES)
    except HttpError as exc:
        if exc.status is not None and 400 <= exc.status < 500:
            return (
                RobotsPolicy(user_agent=token, status=exc.status, note="no robots.txt"),
                None,
                exc,
            )
        policy = RobotsPolicy(
            user_agent=token,
            status=exc.status,
            refuse_all=True,
            note=f"robots.txt unreachable ({exc}); nothing is crawled",
        )
        return policy, None, exc
    parser = Protego.parse(result.text)
    policy = RobotsPolicy(
        user_agent=token,
        parser=parser,
        status=result.status,
        sitemaps=[urljoin(url, s) for s in parser.sitemaps],
    )
    return policy, result, None
