"""The customs API: authenticated read, filters, pagination, entries and the edition diff."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests import factories as f

pytestmark = pytest.mark.django_db

BASE = "/api/v1/customs"


@pytest.fixture
def api() -> APIClient:
    client = APIClient()
    client.force_authenticate(f.UserFactory(is_admin=False))
    return client


def test_anonymous_callers_are_refused_with_json():
    response = APIClient().get(f"{BASE}/sources/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_sources_are_listed_and_paginated(api):
    response = api.get(f"{BASE}/sources/", {"page_size": 2})
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 6
    assert [s["slug"] for s in body["results"]] == ["ch-ofdf", "es-boe"]
    assert body["next"] is not None


def test_writes_are_refused_to_readers(api):
    assert api.post(f"{BASE}/sources/", {}).status_code in (403, 405)


def test_publications_filters(api, ingested_pair):
    september, november = ingested_pair
    f.CustomsPublicationFactory(
        source=f.CustomsSourceFactory(slug="ch-ofdf"), status="failed", failed_stage="parse"
    )
    everything = api.get(f"{BASE}/publications/").json()
    assert everything["count"] == 3
    body = api.get(
        f"{BASE}/publications/", {"source": "fr-douane-opendata", "status": "ingested"}
    ).json()
    assert [p["id"] for p in body["results"]] == [november.pk, september.pk]
    assert body["results"][0]["source"] == "fr-douane-opendata"
    recent = api.get(f"{BASE}/publications/", {"effective_from": "2026-10-01"}).json()
    assert {p["id"] for p in recent["results"]} >= {november.pk}
    assert september.pk not in {p["id"] for p in recent["results"]}
    window = api.get(
        f"{BASE}/publications/",
        {"effective_from": "2026-08-01", "effective_to": "2026-09-30"},
    ).json()
    assert [p["id"] for p in window["results"]] == [september.pk]


def test_bad_filters_are_400_with_a_message(api):
    response = api.get(f"{BASE}/publications/", {"effective_from": "yesterday"})
    assert response.status_code == 400
    assert "effective_from" in response.json()["error"]["message"]
    response = api.get(f"{BASE}/publications/", {"status": "done"})
    assert response.status_code == 400
    response = api.get(
        f"{BASE}/publications/", {"effective_from": "2026-12-01", "effective_to": "2026-01-01"}
    )
    assert response.status_code == 400


def test_publication_detail_carries_metadata(api, ingested_pair):
    _, november = ingested_pair
    body = api.get(f"{BASE}/publications/{november.pk}/").json()
    assert body["title"].startswith("Arrêté du 29 septembre 2026")
    assert body["metadata"]["diff"]["previous_publication_id"] == ingested_pair[0].pk
    assert body["legal_texts"] == []
    assert api.get(f"{BASE}/publications/999999/").status_code == 404


def test_a_dgddi_edition_lists_its_arrete(api, ingested_pair):
    _, november = ingested_pair
    arrete = f.CustomsPublicationFactory(
        source=f.CustomsSourceFactory(slug="fr-legifrance-jorf"),
        external_id="JORFTEXT000052311441",
        effective_date=november.effective_date,
        metadata={"nor": "ECOD2626000A", "eli": "https://www.legifrance.gouv.fr/eli/x"},
    )
    body = api.get(f"{BASE}/publications/{november.pk}/").json()
    assert body["legal_texts"] == [
        {
            "id": arrete.pk,
            "source": "fr-legifrance-jorf",
            "external_id": "JORFTEXT000052311441",
            "title": arrete.title,
            "arrete_date": None,
            "nor": "ECOD2626000A",
            "eli": "https://www.legifrance.gouv.fr/eli/x",
        }
    ]


def test_entries_of_a_publication(api, ingested_pair):
    _, november = ingested_pair
    body = api.get(f"{BASE}/publications/{november.pk}/entries/", {"page_size": 5}).json()
    assert body["count"] == 13
    assert len(body["results"]) == 5
    first = body["results"][0]
    assert first["raw_label"] == "Fleur de Savane Ecuador (boîte métal), en 20 cigares"
    assert first["pack_size"] == 20
    assert first["unit_price"] == "0.55"
    withdrawn = api.get(
        f"{BASE}/publications/{november.pk}/entries/", {"change_kind": "withdrawn"}
    ).json()
    assert [e["raw_label"] for e in withdrawn["results"]] == ["Trinidad Reyes, en 12 cigares"]
    search = api.get(f"{BASE}/publications/{november.pk}/entries/", {"q": "siglo"}).json()
    assert search["count"] == 1


def test_diff_endpoint(api, ingested_pair):
    september, november = ingested_pair
    body = api.get(f"{BASE}/publications/{november.pk}/diff/", {"kind": "changed"}).json()
    assert body["publication"] == november.pk
    assert body["previous_publication"] == september.pk
    assert body["counts"]["renamed"] == 1
    assert body["count"] == 2
    assert {e["raw_label"] for e in body["results"]} == {
        "Cohiba Robustos, en 25 cigares",
        "La Estancia #60, en 10 ciagres",
    }
    gone = api.get(f"{BASE}/publications/{november.pk}/diff/", {"kind": "disappeared"}).json()
    assert gone["count"] == gone["disappeared"] > 0
    assert all(e["id"] for e in gone["results"])
    everything = api.get(f"{BASE}/publications/{november.pk}/diff/").json()
    assert everything["count"] == 13
    assert api.get(f"{BASE}/publications/{november.pk}/diff/", {"kind": "x"}).status_code == 400
