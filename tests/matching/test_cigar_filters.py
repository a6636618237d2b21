"""The "has official price" cigar filter: matching registers it into catalogue's CigarFilter."""

from __future__ import annotations

import django_filters
import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient

from catalogue.filters import (
    CigarFilter,
    cigar_extra_filter_names,
    cigar_filter_register,
    cigar_filter_unregister,
)
from catalogue.models import Cigar
from matching.models import MatchStatus
from tests.factories import CigarCustomsMatchFactory, CustomsPriceEntryFactory
from tests.matching.conftest import cigar

pytestmark = pytest.mark.django_db

PRICED = {"Cohiba Siglo VI", "Cohiba Robustos"}


@pytest.fixture
def priced(habanos, publication):
    """Two cigars with an official price (one human-, one auto-accepted, the latter twice)
    and one whose matches were never accepted."""
    entries = CustomsPriceEntryFactory.create_batch(5, publication=publication)
    CigarCustomsMatchFactory(
        cigar=cigar("Cohiba Siglo VI"), price_entry=entries[0], status=MatchStatus.HUMAN_ACCEPTED
    )
    for entry in entries[1:3]:
        CigarCustomsMatchFactory(
            cigar=cigar("Cohiba Robustos"), price_entry=entry, status=MatchStatus.AUTO_ACCEPTED
        )
    for entry, status in [
        (entries[3], MatchStatus.PENDING_REVIEW),
        (entries[4], MatchStatus.HUMAN_REJECTED),
    ]:
        CigarCustomsMatchFactory(cigar=cigar("Cohiba Siglo I"), price_entry=entry, status=status)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["full_name"] for item in response.json()["results"]]


def test_true_keeps_only_cigars_with_an_accepted_match(priced):
    api = APIClient()
    listed = names(api.get("/api/v1/cigars/", {"has_official_price": "true", "page_size": 100}))

    # Once each, although Robustos has two accepted matches.
    assert sorted(listed) == sorted(PRICED)
    # The same notion of "official price" as the cigar's price history.
    for name in listed:
        prices = api.get(f"/api/v1/cigars/{cigar(name).pk}/prices/").json()
        assert prices["results"], name
    assert not api.get(f"/api/v1/cigars/{cigar('Cohiba Siglo I').pk}/prices/").json()["results"]


def test_false_keeps_only_cigars_without_one(priced):
    listed = names(
        APIClient().get("/api/v1/cigars/", {"has_official_price": "false", "page_size": 200})
    )

    assert "Cohiba Siglo I" in listed  # pending and rejected matches are no price
    assert not PRICED & set(listed)
    assert len(listed) == Cigar.objects.count() - len(PRICED)


@pytest.mark.parametrize("value", ["maybe", "yes", "2", "truefalse"])
def test_an_invalid_value_is_a_json_400(priced, value):
    response = APIClient().get("/api/v1/cigars/", {"has_official_price": value})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "has_official_price" in error["message"]


def test_an_empty_value_does_not_filter(priced):
    listed = names(APIClient().get("/api/v1/cigars/", {"has_official_price": "", "page_size": 5}))
    assert len(listed) == 5


def test_combines_with_other_filters(priced):
    api = APIClient()
    with_price = api.get(
        "/api/v1/cigars/", {"has_official_price": "1", "brand": "cohiba", "ring_min": 52}
    )
    assert names(with_price) == ["Cohiba Siglo VI"]
    without_price = names(
        api.get(
            "/api/v1/cigars/",
            {"has_official_price": "0", "brand": "cohiba", "line": cigar("Cohiba Siglo I").line_id},
        )
    )
    assert "Cohiba Siglo I" in without_price
    assert "Cohiba Siglo VI" not in without_price
    assert all(name.startswith("Cohiba Siglo") for name in without_price)
    assert (
        api.get("/api/v1/cigars/", {"has_official_price": "true", "brand": "partagas"}).json()[
            "results"
        ]
        == []
    )


def test_combines_with_search(priced):
    api = APIClient()
    ranked = names(api.get("/api/v1/cigars/", {"q": "cohiba siglo", "has_official_price": "true"}))
    assert ranked[0] == "Cohiba Siglo VI"
    assert set(ranked) <= PRICED
    unpriced = names(
        api.get("/api/v1/cigars/", {"q": "cohiba siglo", "has_official_price": "false"})
    )
    assert unpriced
    assert "Cohiba Siglo VI" not in unpriced
    assert "Cohiba Siglo I" in unpriced
    response = api.get("/api/v1/cigars/", {"q": "cohiba siglo", "has_official_price": "maybe"})
    assert response.status_code == 400


def test_is_registered_by_matching_and_documented():
    assert "has_official_price" in cigar_extra_filter_names()
    assert "has_official_price" in CigarFilter(data={}, queryset=Cigar.objects.none()).filters

    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = {p["name"]: p for p in schema["paths"]["/api/v1/cigars/"]["get"]["parameters"]}
    assert documented["has_official_price"]["schema"]["type"] == "boolean"
    # Every filter a client can use, declared or registered, is in the schema.
    assert set(CigarFilter.base_filters) | set(cigar_extra_filter_names()) <= set(documented)


def test_the_registry_refuses_a_declared_name_and_replaces_on_re_registration():
    with pytest.raises(ImproperlyConfigured):
        cigar_filter_register("brand", django_filters.CharFilter())

    cigar_filter_register("vitola_is", django_filters.CharFilter(field_name="vitola_name"))
    try:
        cigar_filter_register("vitola_is", django_filters.CharFilter(field_name="full_name"))
        filterset = CigarFilter(data={"vitola_is": "x"}, queryset=Cigar.objects.none())
        assert filterset.filters["vitola_is"].field_name == "full_name"
        assert filterset.filters["vitola_is"].parent is filterset
    finally:
        cigar_filter_unregister("vitola_is")
    assert "vitola_is" not in CigarFilter(data={}, queryset=Cigar.objects.none()).filters
