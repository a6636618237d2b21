"""Merchants API: authenticated read, operators queue crawls; errors are JSON."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from merchants.crawler import merchant_crawl
from merchants.models import CrawlRun
from merchants.services import merchant_update
from tests.factories import OperatorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user_api():
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client


@pytest.fixture
def operator_api():
    client = APIClient()
    client.force_authenticate(OperatorFactory())
    return client


def test_anonymous_clients_are_refused(maison):
    response = APIClient().get("/api/v1/merchants/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_list_detail_runs_and_products(user_api, habanos, maison, maison_server):
    run = merchant_crawl(merchant=maison)
    listing = user_api.get("/api/v1/merchants/").json()
    assert listing["count"] == 1
    assert listing["results"][0]["slug"] == "maison"
    assert user_api.get("/api/v1/merchants/maison/").json()["currency"] == "EUR"
    runs = user_api.get("/api/v1/merchants/maison/runs/").json()
    assert runs["results"][0]["id"] == run.pk
    assert runs["results"][0]["products_created"] == 3
    products = user_api.get("/api/v1/merchants/maison/products/?page_size=2").json()
    assert products["count"] == 3
    assert len(products["results"]) == 2
    flagged = [p for p in products["results"] if p["cigar_needs_review"]]
    assert all(p["resolution"] == "created" for p in flagged)
    # Every offer of a page, with where it was read.
    robustos = next(
        p for p in user_api.get("/api/v1/merchants/maison/products/").json()["results"]
        if p["name"] == "Cohiba Robustos"
    )  # fmt: skip
    assert [(o["pack_size"], o["price"], o["source"]) for o in robustos["offers"]] == [
        (25, "1234.50", "selectors"),
        (3, "148.20", "selectors"),
        (1, "49.40", "selectors"),
    ]
    assert robustos["kind"] == "cigar"


def test_unknown_merchant_is_a_json_404(user_api):
    response = user_api.get("/api/v1/merchants/nope/runs/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_only_operators_queue_crawls(user_api, maison):
    assert user_api.post("/api/v1/merchants/maison/crawl/", {}, format="json").status_code == 403
    assert not CrawlRun.objects.exists()


def test_operator_queues_a_crawl(operator_api, habanos, maison, maison_server,
                                 django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_api.post(
            "/api/v1/merchants/maison/crawl/", {"resume": False}, format="json"
        )
    assert response.status_code == 202
    assert response.json() == {"merchant": "maison", "resume": False, "queued": True}
    assert CrawlRun.objects.get().status == "finished"  # django-q runs inline in tests


def test_a_disabled_merchant_cannot_be_crawled(operator_api, maison):
    merchant_update(merchant=maison, enabled=False)
    response = operator_api.post("/api/v1/merchants/maison/crawl/", {}, format="json")
    assert response.status_code == 400
    assert "disabled" in str(response.json())
