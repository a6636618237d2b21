"""Selectors: the review queue's order and filters, next_in_queue, explanations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from matching.models import MatchStatus
from matching.selectors import (
    entry_candidates,
    match_explanation,
    next_in_queue,
    review_queue,
)
from tests.factories import CigarCustomsMatchFactory, CustomsPriceEntryFactory
from tests.matching.conftest import add_entries

pytestmark = pytest.mark.django_db


def pending(score: str, pack_price: str | None, **entry) -> object:
    price = Decimal(pack_price) if pack_price is not None else None
    return CigarCustomsMatchFactory(
        score=Decimal(score),
        status=MatchStatus.PENDING_REVIEW,
        price_entry=CustomsPriceEntryFactory(pack_price=price, **entry),
    )


def test_queue_puts_the_most_uncertain_then_the_most_valuable_first(db):
    # The review band is [0.55, 0.80): its middle, 0.675, is the most uncertain score.
    sure_cheap = pending("0.790", "10.00")
    middle_cheap = pending("0.680", "10.00")
    middle_dear = pending("0.670", "900.00")
    middle_unpriced = pending("0.675", None)
    CigarCustomsMatchFactory(score=Decimal("0.680"), status=MatchStatus.AUTO_ACCEPTED)
    CigarCustomsMatchFactory(score=Decimal("0.680"), status=MatchStatus.PENDING_REVIEW, rank=2)

    queue = list(review_queue())
    assert queue == [middle_unpriced, middle_dear, middle_cheap, sure_cheap]
    assert next_in_queue(after=None) == middle_unpriced
    assert next_in_queue(after=middle_dear) == middle_cheap
    assert next_in_queue(after=sure_cheap) is None


def test_next_in_queue_skips_past_a_row_decided_meanwhile(db):
    first, second = pending("0.675", "50.00"), pending("0.700", "50.00")
    first.status = MatchStatus.HUMAN_ACCEPTED
    first.save()
    assert next_in_queue(after=first) == second


def test_queue_filters(db):
    kept = pending("0.700", "10.00", change_kind="new", brand_guess="Cohiba")
    other = pending("0.600", "10.00", change_kind="changed", brand_guess="Trinidad")
    assert list(review_queue(change_kind="new")) == [kept]
    assert list(review_queue(brand="cohiba")) == [kept]
    assert list(review_queue(score_min=Decimal("0.65"))) == [kept]
    assert list(review_queue(score_max=Decimal("0.65"))) == [other]
    assert list(review_queue(publication_id=kept.price_entry.publication_id)) == [kept]
    assert list(review_queue(source_slug="ch-ofdf")) == []


def test_candidates_and_explanation(habanos, publication):
    from matching.services import publication_match

    (entry,) = add_entries(publication, ["Montecristo Petit Edmundo Maduro, en 10 cigares"])
    publication_match(publication=publication)
    candidates = entry_candidates(entry=entry)
    assert [c.rank for c in candidates] == [1, 2, 3, 4]
    explanation = match_explanation(match=candidates[0])
    assert explanation["recomputed_score"] == pytest.approx(float(candidates[0].score), abs=0.002)
    assert explanation["tokens"]["label_only"] == ["maduro"]
    # No Montecristo record carries "maduro": unexplained at full cost, not a conflict.
    assert {p["constraint"] for p in explanation["penalties"]} == {"unexplained"}
    total = sum(s["contribution"] for s in explanation["signals"])
    penalty = sum(p["amount"] for p in explanation["penalties"])
    assert total - penalty == pytest.approx(explanation["recomputed_score"], abs=0.002)
    assert explanation["parsed"]["pack_size"] == 10
    assert explanation["parsed"]["brand_guess"] == "Montecristo"
