"""The API of watchlists and webhook endpoints: owners only, the secret shown once."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import BrandFactory, CigarFactory, CustomsSourceFactory, UserFactory
from watch.models import Watchlist, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(owner) -> APIClient:
    client = APIClient()
    client.force_authenticate(owner)
    return client


def test_watchlists_crud(api, owner):
    cigar, brand = CigarFactory(), BrandFactory()
    source = CustomsSourceFactory()
    created = api.post(
        "/api/v1/watchlists/",
        {
            "name": "shop",
            "country": "fr",
            "language": "fr",
            "items": [
                {"scope": "cigar", "id": cigar.pk},
                {"scope": "brand", "id": brand.pk},
                {"scope": "source", "id": source.pk},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["country"] == "FR"
    assert {(i["scope"], i["id"]) for i in body["items"]} == {
        ("cigar", cigar.pk),
        ("brand", brand.pk),
        ("source", source.pk),
    }
    assert "/feeds/watchlists/" in body["feed_url"]
    pk = body["id"]
    assert api.get("/api/v1/watchlists/").json()["count"] == 1
    patched = api.patch(
        f"/api/v1/watchlists/{pk}/", {"items": [{"scope": "cigar", "id": cigar.pk}]}, format="json"
    )
    assert patched.status_code == 200
    assert [i["scope"] for i in patched.json()["items"]] == ["cigar"]
    assert patched.json()["name"] == "shop"
    assert api.get(f"/api/v1/watchlists/{pk}/events/").json()["count"] == 0
    assert api.delete(f"/api/v1/watchlists/{pk}/").status_code == 204
    assert not Watchlist.objects.exists()


def test_unknown_items_are_a_400_naming_them(api):
    response = api.post(
        "/api/v1/watchlists/",
        {"name": "x", "items": [{"scope": "cigar", "id": 999999}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["missing"] == [{"scope": "cigar", "id": "999999"}]


def test_another_users_watchlists_and_endpoints_are_not_found(api, owner, receiver):
    theirs = Watchlist.objects.create(owner=UserFactory(email="other@example.com"), name="t")
    assert api.get(f"/api/v1/watchlists/{theirs.pk}/").status_code == 404
    assert api.patch(f"/api/v1/watchlists/{theirs.pk}/", {"name": "mine"}).status_code == 404
    assert api.get(f"/api/v1/watchlists/{theirs.pk}/events/").status_code == 404
    assert APIClient().get("/api/v1/watchlists/").status_code == 401


def test_a_webhook_secret_is_shown_once(api, receiver):
    created = api.post("/api/v1/webhooks/", {"url": receiver.url}, format="json")
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    assert len(secret) > 40
    pk = created.json()["id"]
    shown = api.get(f"/api/v1/webhooks/{pk}/").json()
    assert "secret" not in shown
    assert shown["secret_hint"] == secret[:8] + "…"
    assert secret not in str(api.get("/api/v1/webhooks/").json())
    assert WebhookEndpoint.objects.get(pk=pk).secret == secret  # kept to sign
    paused = api.patch(f"/api/v1/webhooks/{pk}/", {"is_active": False}, format="json").json()
    assert paused["is_active"] is False
    assert paused["disabled_reason"] == "Paused by its owner."
    again = api.patch(f"/api/v1/webhooks/{pk}/", {"is_active": True}, format="json").json()
    assert again["is_active"] is True
    assert again["disabled_reason"] == ""
    assert api.get(f"/api/v1/webhooks/{pk}/deliveries/").json()["count"] == 0


def test_a_webhook_to_a_private_address_is_a_400(api, settings):
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = []
    for url in ("http://127.0.0.1:9/hook", "http://192.168.1.10/hook", "ftp://example.com/x"):
        response = api.post("/api/v1/webhooks/", {"url": url}, format="json")
        assert response.status_code == 400, url
        assert "url" in response.json()["error"]["details"]
    assert not WebhookEndpoint.objects.exists()
