"""The matches API (list, detail, PATCH with ETag / If-Match) and a cigar's prices."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from matching.models import CigarCustomsMatch, MatchStatus
from matching.services import match_accept, match_reject, publication_match
from tests.factories import OperatorFactory
from tests.matching.conftest import add_entries, cigar, new_publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def matched(habanos, publication):
    entries = add_entries(
        publication, ["Cohiba Robutos, en 25 cigares", "Montecristo N° 4, en 25 cigares"]
    )
    publication_match(publication=publication)
    return entries


def best(entry) -> CigarCustomsMatch:
    return CigarCustomsMatch.objects.get(price_entry=entry, rank=1)


def test_reading_needs_an_account(matched):
    response = APIClient().get("/api/v1/matches/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_list_filters(matched, user_api):
    response = user_api.get("/api/v1/matches/", {"status": "PENDING_REVIEW"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["price_entry"]["raw_label"] == "Cohiba Robutos, en 25 cigares"
    assert body["results"][0]["price_entry"]["source"] == "fr-douane-opendata"

    monte = cigar("Montecristo No.4")
    by_cigar = user_api.get("/api/v1/matches/", {"cigar": monte.pk}).json()
    assert {r["cigar"]["id"] for r in by_cigar["results"]} == {monte.pk}
    ranked = user_api.get("/api/v1/matches/", {"rank": 1, "score_min": "0.9"}).json()
    assert [r["cigar"]["full_name"] for r in ranked["results"]] == ["Montecristo No.4"]
    publication = matched[0].publication_id
    assert user_api.get("/api/v1/matches/", {"publication": publication}).json()["count"] == 8
    assert user_api.get("/api/v1/matches/", {"source": "ch-ofdf"}).json()["count"] == 0


def test_list_rejects_bad_filters(matched, user_api):
    response = user_api.get("/api/v1/matches/", {"score_min": "0.9", "score_max": "0.2"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert user_api.get("/api/v1/matches/", {"status": "MAYBE"}).status_code == 400


def test_detail_has_signals_alternatives_explanation_and_an_etag(matched, user_api):
    row = best(matched[0])
    response = user_api.get(f"/api/v1/matches/{row.pk}/")
    assert response.status_code == 200
    assert response["ETag"].startswith(f'"m{row.pk}-')
    body = response.json()
    assert set(body["signals"]) >= {"exact", "fuzzy", "vector", "pack_compat"}
    assert [a["rank"] for a in body["alternatives"]] == [2, 3, 4]
    contributions = {s["signal"]: s for s in body["explanation"]["signals"]}
    assert contributions["fuzzy"]["contribution"] == pytest.approx(
        contributions["fuzzy"]["weight"] * contributions["fuzzy"]["value"], abs=1e-3
    )
    assert body["explanation"]["tokens"]["typos"] == [["robuto", "robusto"]]


def test_patch_is_for_operators(matched, user_api):
    row = best(matched[0])
    response = user_api.patch(f"/api/v1/matches/{row.pk}/", {"status": "HUMAN_ACCEPTED"})
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.status == MatchStatus.PENDING_REVIEW


def test_patch_validation(matched, operator_api):
    row = best(matched[0])
    url = f"/api/v1/matches/{row.pk}/"
    assert operator_api.patch(url, {"status": "AUTO_ACCEPTED"}, format="json").status_code == 400
    assert operator_api.patch(url, {"note": "hm"}, format="json").status_code == 400
    both = {"status": "HUMAN_ACCEPTED", "cigar": row.cigar_id}
    assert operator_api.patch(url, both, format="json").status_code == 400
    assert operator_api.patch(url, {"cigar": 999999}, format="json").status_code == 404
    assert (
        operator_api.patch("/api/v1/matches/999999/", {"status": "HUMAN_ACCEPTED"}).status_code
        == 404
    )


def test_patch_accepts_with_a_current_etag(matched, operator_api, operator):
    row = best(matched[0])
    etag = operator_api.get(f"/api/v1/matches/{row.pk}/")["ETag"]
    response = operator_api.patch(
        f"/api/v1/matches/{row.pk}/",
        {"status": "HUMAN_ACCEPTED", "note": "ok"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "HUMAN_ACCEPTED"
    assert response.json()["decided_by"] == operator.email
    assert response["ETag"] != etag


def test_a_stale_etag_answers_412_and_keeps_the_other_decision(matched, operator_api):
    row = best(matched[0])
    etag = operator_api.get(f"/api/v1/matches/{row.pk}/")["ETag"]
    match_reject(match=row, actor=OperatorFactory(), note="first reviewer")
    response = operator_api.patch(
        f"/api/v1/matches/{row.pk}/",
        {"status": "HUMAN_ACCEPTED"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "precondition_failed"
    row.refresh_from_db()
    assert (row.status, row.note) == (MatchStatus.HUMAN_REJECTED, "first reviewer")


def test_deciding_an_already_decided_match_without_if_match_is_a_conflict(matched, operator_api):
    row = best(matched[0])
    match_accept(match=row, actor=OperatorFactory())
    response = operator_api.patch(
        f"/api/v1/matches/{row.pk}/", {"status": "HUMAN_REJECTED"}, format="json"
    )
    assert response.status_code == 409


def test_patch_repoints_to_another_cigar(matched, operator_api):
    row = best(matched[0])
    target = cigar("Cohiba Siglo VI")
    response = operator_api.patch(
        f"/api/v1/matches/{row.pk}/", {"cigar": target.pk, "note": "Siglo"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["cigar"]["id"] == target.pk
    assert body["status"] == "HUMAN_ACCEPTED"
    row.refresh_from_db()
    assert row.status == MatchStatus.HUMAN_REJECTED


def test_price_history_is_ordered_per_source_and_pack_over_two_editions(
    habanos, douane, api_client
):
    november = new_publication(douane, dt.date(2026, 11, 1))
    september = new_publication(douane, dt.date(2026, 9, 1))
    # Written in reverse date order: the history must still read September, then November.
    add_entries(
        november, ["Cohiba Robustos, en 25 cigares", "Cohiba Robustos (tube), en 3 cigares"]
    )
    add_entries(
        september, ["Cohiba Robustos, en 25 cigares", "Cohiba Robustos (tube), en 3 cigares"]
    )
    publication_match(publication=november)
    publication_match(publication=september)
    robustos = cigar("Cohiba Robustos")

    response = api_client.get(f"/api/v1/cigars/{robustos.pk}/prices/")
    assert response.status_code == 200
    series = response.json()["results"]
    assert [(s["source"], s["pack_size"]) for s in series] == [
        ("fr-douane-opendata", 3),
        ("fr-douane-opendata", 25),
    ]
    for item in series:
        assert [p["effective_date"] for p in item["prices"]] == ["2026-09-01", "2026-11-01"]
        assert item["currency"] == "EUR"
    assert api_client.get("/api/v1/cigars/999999/prices/").status_code == 404


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
