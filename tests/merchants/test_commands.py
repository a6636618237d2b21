"""``crawl`` and ``scrape_url``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalogue.models import CigarPackage
from merchants.models import CrawlRun, RunStatus

pytestmark = pytest.mark.django_db


def run_command(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_crawl_prints_a_summary(habanos, maison, maison_server):
    output = run_command("crawl", "maison")
    assert "Maison du Cigare: run" in output
    assert "Finished" in output
    assert "products 3 created / 0 updated / 0 unchanged, 1 new cigars to review" in output
    assert CigarPackage.objects.filter(merchant="Maison du Cigare").count() == 6


def test_crawl_limit_then_resume(habanos, casa, casa_server):
    first = run_command("crawl", "casa", "--limit", "1")
    assert "Incomplete" in first
    assert "crawl casa --resume" in first
    second = run_command("crawl", "casa", "--resume")
    assert "Finished" in second
    run = CrawlRun.objects.get()
    assert (run.status, run.products_created, run.resumed_count) == (RunStatus.FINISHED, 4, 1)


def test_crawl_unknown_merchant(habanos, casa):
    with pytest.raises(CommandError, match="Known merchants: casa"):
        run_command("crawl", "nope")


def test_crawl_bad_limit(casa):
    with pytest.raises(CommandError, match="at least 1"):
        run_command("crawl", "casa", "--limit", "0")


def test_crawl_that_cannot_read_robots_fails_loudly(habanos, casa, casa_server):
    from tests.support.http_server import Reply

    casa_server.route("/robots.txt", Reply(500, b"down"))
    with pytest.raises(CommandError, match=r"robots\.txt unreachable"):
        run_command("crawl", "casa")


def test_scrape_url_prints_the_extraction_and_writes_nothing(habanos, maison, maison_server):
    output = run_command(
        "scrape_url", maison_server.url("/boutique/cohiba-robustos.html"), "--json"
    )
    start, end = output.index("{"), output.rindex("}") + 1
    product = json.loads(output[start:end])
    assert product["name"] == "Cohiba Robustos"
    assert product["length_mm"] == "124.0"
    assert [o["pack"]["pack_size"] for o in product["offers"]] == [25, 3, 1]
    assert product["offers"][0]["price"] == {"amount": "1234.50", "currency": "EUR"}
    assert "Resolves to: Cohiba Robustos" in output
    assert not CigarPackage.objects.exists()
    assert not CrawlRun.objects.exists()


def test_scrape_url_of_a_new_product(habanos, casa, casa_server):
    output = run_command(
        "scrape_url", casa_server.url("/products/cohiba-talisman-2017.html"), "--merchant", "casa"
    )
    assert "No catalogue cigar fits" in output


def test_scrape_url_honours_robots(habanos, casa, casa_server):
    with pytest.raises(CommandError, match=r"robots\.txt disallows"):
        run_command("scrape_url", casa_server.url("/private/reserve-du-patron.html"))


def test_scrape_url_without_a_product(habanos, maison, maison_server):
    assert "No product on this page." in run_command(
        "scrape_url", maison_server.url("/a-propos.html")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://x.test/a"], "Not an http"),
        (["http://127.0.0.1:9/a", "--merchant", "zz"], "No merchant"),
    ],
)
def test_scrape_url_bad_input(db, args, message):
    with pytest.raises(CommandError, match=message):
        run_command("scrape_url", *args)


def test_scrape_url_of_a_missing_page(habanos, casa, casa_server):
    with pytest.raises(CommandError, match="Could not fetch"):
        run_command("scrape_url", casa_server.url("/products/none.html"))
