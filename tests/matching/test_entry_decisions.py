"""Entry-level decisions check staleness inside the service, under the lock; the API offers
them (not in the catalogue, create a cigar) with If-Match or ``expected_updated_at``."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from catalogue.models import AliasKind, Cigar, CigarAlias
from customs.models import CustomsSource
from matching.models import CigarCustomsMatch, MatchStatus
from matching.services import (
    DecisionConflict,
    entry_create_cigar,
    entry_mark_not_in_catalogue,
    match_accept,
    publication_match,
)
from tests.factories import OperatorFactory
from tests.matching.conftest import add_entries, load_habanos, new_publication
from tests.support.concurrency import run_in_threads


def best(entry) -> CigarCustomsMatch:
    return CigarCustomsMatch.objects.get(price_entry=entry, rank=1)


@pytest.fixture
def matched(habanos, publication):
    entries = add_entries(publication, ["Cohiba Robutos, en 25 cigares"])
    publication_match(publication=publication)
    return entries


# --- the services ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_not_in_catalogue_refuses_a_stale_view(matched, operator):
    entry = matched[0]
    seen = best(entry).updated_at
    match_accept(match=best(entry), actor=OperatorFactory(), expected_updated_at=seen)
    with pytest.raises(DecisionConflict, match="changed since it was loaded"):
        entry_mark_not_in_catalogue(entry=entry, actor=operator, expected_updated_at=seen)
    assert best(entry).status == MatchStatus.HUMAN_ACCEPTED
    assert not CigarAlias.objects.filter(kind=AliasKind.NOT_IN_CATALOGUE).exists()


@pytest.mark.django_db
def test_create_cigar_refuses_a_stale_view_and_creates_nothing(matched, operator):
    entry = matched[0]
    seen = best(entry).updated_at
    match_accept(match=best(entry), actor=OperatorFactory(), expected_updated_at=seen)
    cigars = Cigar.objects.count()
    with pytest.raises(DecisionConflict):
        entry_create_cigar(
            entry=entry,
            actor=operator,
            brand_name="Cohiba",
            line_name="",
            vitola_name="Robutos Especial",
            expected_updated_at=seen,
        )
    assert Cigar.objects.count() == cigars


@pytest.mark.django_db(transaction=True)
def test_not_in_catalogue_against_an_accept_under_a_real_race():
    """Two reviewers load the same entry; one accepts, one says "not in the catalogue".

    Both act on the same version at once: exactly one wins, the other gets a conflict, and
    the entry ends in the winner's state (never a mix of both decisions).
    """
    CustomsSource.objects.get_or_create(
        slug="fr-douane-opendata", defaults={"name": "DGDDI", "country": "FR", "currency": "EUR"}
    )
    load_habanos()
    source = CustomsSource.objects.get(slug="fr-douane-opendata")
    publication = new_publication(source, dt.date(2026, 9, 1))
    entry = add_entries(publication, ["Cohiba Robutos, en 25 cigares"])[0]
    publication_match(publication=publication)
    row = best(entry)
    seen = row.updated_at
    first, second = OperatorFactory(), OperatorFactory()
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide() -> None:
        name = threading.current_thread().name
        who = "accept" if name.endswith("0") else "not_in_catalogue"
        barrier.wait()
        try:
            if who == "accept":
                match_accept(match=row, actor=first, expected_updated_at=seen)
            else:
                entry_mark_not_in_catalogue(entry=entry, actor=second, expected_updated_at=seen)
            outcomes[who] = "done"
        except DecisionConflict:
            outcomes[who] = "conflict"

    _name_threads_and_run(decide)
    assert sorted(outcomes.values()) == ["conflict", "done"], outcomes
    row.refresh_from_db()
    not_in_catalogue = CigarAlias.objects.filter(kind=AliasKind.NOT_IN_CATALOGUE).exists()
    accepted = CigarAlias.objects.filter(kind=AliasKind.ACCEPTED).exists()
    if outcomes["accept"] == "done":
        assert (row.status, accepted, not_in_catalogue) == (
            MatchStatus.HUMAN_ACCEPTED,
            True,
            False,
        )
    else:
        assert (row.status, accepted, not_in_catalogue) == (
            MatchStatus.HUMAN_REJECTED,
            False,
            True,
        )


def _name_threads_and_run(target) -> None:
    """``run_in_threads`` with two threads told apart by their names (…0 and …1)."""
    counter = iter(range(2))
    lock = threading.Lock()

    def named() -> None:
        with lock:
            threading.current_thread().name = f"reviewer-{next(counter)}"
        target()

    run_in_threads(named, 2)


# --- the API ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_not_in_catalogue_through_the_api_with_if_match(matched, operator_api, user_api):
    entry = matched[0]
    url = f"/api/v1/entries/{entry.pk}/not-in-catalogue/"
    assert user_api.post(url, {}, format="json").status_code == 403
    etag = operator_api.get(f"/api/v1/matches/{best(entry).pk}/")["ETag"]
    response = operator_api.post(url, {"note": "a shop brand"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 204
    assert best(entry).status == MatchStatus.HUMAN_REJECTED
    assert CigarAlias.objects.filter(kind=AliasKind.NOT_IN_CATALOGUE, note="a shop brand").exists()
    # The same ETag again names a version that no longer is.
    stale = operator_api.post(url, {}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"


@pytest.mark.django_db
def test_not_in_catalogue_api_conflicts(matched, operator_api):
    entry = matched[0]
    row = best(entry)
    seen = row.updated_at.isoformat()
    match_accept(match=row, actor=OperatorFactory(), expected_updated_at=row.updated_at)
    url = f"/api/v1/entries/{entry.pk}/not-in-catalogue/"
    stale = operator_api.post(url, {"expected_updated_at": seen}, format="json")
    assert stale.status_code == 412
    decided = operator_api.post(url, {}, format="json")
    assert decided.status_code == 409
    assert decided.json()["error"]["code"] == "conflict"
    assert operator_api.post("/api/v1/entries/999999/not-in-catalogue/", {}).status_code == 404


@pytest.mark.django_db
def test_create_a_cigar_from_an_entry_through_the_api(matched, operator_api):
    entry = matched[0]
    etag = operator_api.get(f"/api/v1/matches/{best(entry).pk}/")["ETag"]
    url = f"/api/v1/entries/{entry.pk}/create-cigar/"
    assert operator_api.post(url, {"brand_name": "Cohiba"}, format="json").status_code == 400
    body = {
        "brand_name": "Cohiba",
        "vitola_name": "Robutos Especial",
        "ring_gauge": 50,
        "length_mm": "124",
        "pack_size": 25,
        "note": "a new size",
    }
    response = operator_api.post(url, body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == MatchStatus.HUMAN_ACCEPTED
    assert created["cigar"]["full_name"] == "Cohiba Robutos Especial"
    assert response["ETag"]
    again = operator_api.post(url, {**body, "vitola_name": "Other"}, format="json",
                              HTTP_IF_MATCH=etag)  # fmt: skip
    assert again.status_code == 412
    assert not Cigar.objects.filter(vitola_name="Other").exists()
