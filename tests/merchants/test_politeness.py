"""Politeness, measured on the test server: robots.txt, the per-host rate limit, 429s."""

from __future__ import annotations

import itertools
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from cigarspace.http import HttpClient
from merchants.crawler import crawl_client, merchant_crawl
from merchants.models import CrawlHost, RunStatus
from merchants.politeness import (
    HostRateLimiter,
    PoliteHttpClient,
    host_of,
    robots_agent_token,
    robots_fetch,
)
from merchants.services import merchant_update
from tests.merchants.shops import ShopServer
from tests.support.concurrency import run_in_threads
from tests.support.http_server import Reply

pytestmark = pytest.mark.django_db
# The server's clock and the crawler's are different clocks: allow for rounding.
CLOCK_SLACK = 0.02


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def test_requests_to_a_shop_are_spaced_by_the_crawl_delay(habanos, cave, cave_server):
    merchant_update(merchant=cave, crawl_delay_seconds=Decimal("0.25"))
    run = merchant_crawl(merchant=cave)
    assert run.status == RunStatus.FINISHED
    times = cave_server.arrival_times()
    assert len(times) >= 8  # robots, 2 listings, 3 products, their images
    assert min(gaps(times)) >= 0.25 - CLOCK_SLACK
    # Requests are strictly sequential: the order of arrival is the order of the frontier.
    paths = [path for _moment, path in cave_server.arrivals]
    assert paths.index("/cigares/page-1.html") < paths.index("/cigares/page-2.html")


def test_robots_crawl_delay_wins_when_longer(habanos, casa, casa_server):
    casa_server.serve(
        "/robots.txt",
        b"User-agent: *\nCrawl-delay: 0.3\nDisallow: /private/\n"
        b"Sitemap: {{BASE}}/sitemap_index.xml\n",
        "text/plain",
    )
    merchant_crawl(merchant=casa)
    assert min(gaps(casa_server.arrival_times())) >= 0.3 - CLOCK_SLACK


def test_retry_after_is_honoured(habanos, maison, maison_server):
    calls = []
    original = maison_server.routes["/boutique/cohiba-robustos.html"]

    def busy_once(request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Reply(429, b"slow down", {"Retry-After": "1"})
        return original(request)

    maison_server.route("/boutique/cohiba-robustos.html", busy_once)
    run = merchant_crawl(merchant=maison)
    assert run.status == RunStatus.FINISHED
    assert len(calls) == 2
    assert calls[1] - calls[0] >= 1.0 - CLOCK_SLACK
    assert run.urls.get(url=maison_server.url("/boutique/cohiba-robustos.html")).state == "done"


def test_the_host_clock_is_shared_between_workers(db, cave_server):
    """A second worker (another limiter, e.g. another process) waits for the first's turn:
    the next allowed time lives in the database, not in the limiter."""
    waits_a, waits_b = [], []
    worker_a = HostRateLimiter(interval=0.5, sleep=waits_a.append)
    worker_b = HostRateLimiter(interval=0.5, sleep=waits_b.append)
    url = cave_server.url("/robots.txt")
    with worker_a.slot(url):
        pass
    with worker_b.slot(url):
        pass
    assert waits_a == []
    assert len(waits_b) == 1
    assert 0.3 < waits_b[0] <= 0.5
    row = CrawlHost.objects.get(host=host_of(url))
    assert row.next_allowed_at > row.last_request_at


def test_one_request_at_a_time_per_host():
    """Two workers crawling the same shop at once: the server never sees two requests of
    ours in flight together (the advisory lock), measured by the server itself.

    Each worker thread has its own database connection (autocommit, outside the test's
    transaction), like two processes; the host row they write is removed at the end.
    """
    spans: list[tuple[float, float]] = []
    with ShopServer() as server:

        def slow(request):
            start = time.monotonic()
            time.sleep(0.15)
            spans.append((start, time.monotonic()))
            return Reply(200, b"ok", {"Content-Type": "text/plain"})

        server.route("/slow", slow)

        def worker():
            client = PoliteHttpClient(limiter=HostRateLimiter(interval=0), max_retries=0)
            for _ in range(3):
                client.get(server.url("/slow"))

        run_in_threads(worker, 2)

        def forget_host():
            try:
                CrawlHost.objects.filter(host=host_of(server.base_url)).delete()
            finally:
                connection.close()

        cleanup = threading.Thread(target=forget_host)
        cleanup.start()
        cleanup.join()
    spans.sort()
    assert len(spans) == 6
    assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(spans))


def test_robots_rules_for_our_user_agent(cave_server):
    client = HttpClient(max_retries=0)
    policy, result, error = robots_fetch(
        client=client, base_url=cave_server.url("/"), user_agent="CigarSpace/0.1 (+https://x)"
    )
    assert (result.status, error) == (200, None)
    assert policy.allowed(cave_server.url("/cigares/page-1.html"))
    assert not policy.allowed(cave_server.url("/cigares/reserve-speciale.html"))
    # Another crawler falls in the "*" group, which forbids everything.
    other, _result, _error = robots_fetch(
        client=client, base_url=cave_server.url("/"), user_agent="OtherBot/1.0"
    )
    assert not other.allowed(cave_server.url("/cigares/page-1.html"))


def test_robots_sitemaps_and_missing_robots(casa_server, maison_server):
    client = HttpClient(max_retries=0)
    policy, _result, _error = robots_fetch(
        client=client, base_url=casa_server.url("/"), user_agent="CigarSpace/0.1"
    )
    assert policy.sitemaps == [casa_server.url("/sitemap_index.xml")]
    missing, result, error = robots_fetch(
        client=client, base_url=maison_server.url("/"), user_agent="CigarSpace/0.1"
    )
    assert result is None
    assert error.status == 404
    assert missing.allowed(maison_server.url("/anything"))
    assert not missing.refuse_all


def test_robots_token_from_the_user_agent():
    assert robots_agent_token("CigarSpace/0.1 (+https://github.com/cigarspace)") == "CigarSpace"
    assert robots_agent_token("") == "*"


def test_crawl_client_caps_pages_and_uses_the_project_user_agent(casa, settings):
    client = crawl_client(merchant=casa)
    assert client.max_bytes == casa.max_page_bytes
    assert client.user_agent == settings.HTTP_USER_AGENT
    assert client.guard_private is True
