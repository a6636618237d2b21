"""Events computed over the two demo editions: price changes, new products, withdrawals,
renames and the new edition itself; idempotent on a re-run; suspect changes held."""

from __future__ import annotations

from decimal import Decimal

import pytest

from matching.models import MatchStatus
from matching.services import entry_repoint
from matching.signals import publication_matched
from tests.factories import OperatorFactory
from tests.watch.conftest import (
    EFFECTIVE_B,
    NEW_COHIBA,
    NEW_UNCATALOGUED,
    RENAMED_LABEL,
    REPRICED,
    SUSPECT_LABEL,
    WITHDRAWN_LABEL,
    cigar_of,
    entry_of,
)
from watch.models import EventKind, HoldState, SuspectChange, SuspectReason, WatchEvent
from watch.selectors import event_data, with_event_data
from watch.services import ItemSpec, publication_events_compute, watchlist_create

pytestmark = pytest.mark.django_db


def _kinds(watchlist) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for event in with_event_data(WatchEvent.objects.filter(watchlist=watchlist)):
        found.setdefault(event.kind, []).append(event_data(event))
    return found


@pytest.fixture
def watchlists(demo_editions, owner, douane):
    a, b = demo_editions  # noqa: RUF059
    cohiba = cigar_of(a, REPRICED).line.brand
    labels = (REPRICED, WITHDRAWN_LABEL, RENAMED_LABEL, SUSPECT_LABEL)
    cigars = [cigar_of(a, label) for label in labels]
    return {
        "cigars": watchlist_create(
            owner=owner, name="favourites", items=[ItemSpec("cigar", c.pk) for c in cigars]
        ),
        "cohiba": watchlist_create(
            owner=owner, name="Cohiba", items=[ItemSpec("brand", cohiba.pk)]
        ),
        "montecristo": watchlist_create(
            owner=owner,
            name="Montecristo",
            items=[
                ItemSpec(
                    "brand",
                    cigar_of(
                        a, "Montecristo Edmundo (tube- 5 étuis de 3), en 3 cigares"
                    ).line.brand_id,
                )
            ],
        ),
        "source": watchlist_create(owner=owner, name="all", items=[ItemSpec("source", douane.pk)]),
        "swiss": watchlist_create(
            owner=owner, name="CH only", country="CH", items=[ItemSpec("source", douane.pk)]
        ),
    }


def test_a_price_change_carries_old_and_new_prices_pack_and_effective_date(
    demo_editions, watchlists
):
    a, b = demo_editions
    publication_events_compute(publication_id=b.pk)
    events = _kinds(watchlists["cigars"])
    old, new = entry_of(a, REPRICED), entry_of(b, REPRICED)
    (change,) = [p for p in events[EventKind.PRICE_CHANGE] if p["entry_id"] == new.pk]
    assert Decimal(change["old_unit_price"]) == old.unit_price
    assert Decimal(change["unit_price"]) == new.unit_price != old.unit_price
    assert Decimal(change["old_pack_price"]) == old.pack_price
    assert Decimal(change["pack_price"]) == new.pack_price
    assert change["pack_size"] == 25
    assert change["effective_date"] == EFFECTIVE_B.isoformat()
    assert change["cigar"] == cigar_of(a, REPRICED).full_name


def test_withdrawn_renamed_and_new_products_reach_who_watches_them(demo_editions, watchlists):
    a, b = demo_editions  # noqa: RUF059
    publication_events_compute(publication_id=b.pk)
    favourites = _kinds(watchlists["cigars"])
    assert [p["label"] for p in favourites[EventKind.WITHDRAWN]] == [WITHDRAWN_LABEL]
    (renamed,) = favourites[EventKind.RENAMED]
    assert renamed["label"] == RENAMED_LABEL
    assert renamed["new_label"] == "Partagas Presidentes (coffret), en 25 cigares"
    assert EventKind.NEW_PRODUCT not in favourites
    # A new vitola under a watched brand, and a product the catalogue does not hold yet
    # under a watched brand (its brand recognised in the label).
    assert NEW_COHIBA in [p["label"] for p in _kinds(watchlists["cohiba"])[EventKind.NEW_PRODUCT]]
    montecristo_new = [p["label"] for p in _kinds(watchlists["montecristo"])[EventKind.NEW_PRODUCT]]
    assert NEW_UNCATALOGUED in montecristo_new


def test_a_watched_source_hears_of_the_new_edition_with_its_diff(demo_editions, watchlists):
    a, b = demo_editions  # noqa: RUF059
    publication_events_compute(publication_id=b.pk)
    events = _kinds(watchlists["source"])
    assert list(events) == [EventKind.NEW_EDITION]
    (edition,) = events[EventKind.NEW_EDITION]
    assert edition["publication_id"] == b.pk
    assert edition["effective_date"] == EFFECTIVE_B.isoformat()
    changed = b.entries.filter(change_kind="changed").count()
    assert edition["changes"]["changed"] == changed > 10
    assert edition["changes"]["withdrawn"] == b.entries.filter(change_kind="withdrawn").count()
    assert edition["diff"] == f"/api/v1/customs/publications/{b.pk}/diff/"
    # A watchlist of another country hears nothing of a French edition.
    assert not WatchEvent.objects.filter(watchlist=watchlists["swiss"]).exists()


def test_a_rerun_notifies_nobody_twice(demo_editions, watchlists):
    a, b = demo_editions  # noqa: RUF059
    first = publication_events_compute(publication_id=b.pk)
    total = WatchEvent.objects.count()
    again = publication_events_compute(publication_id=b.pk)
    assert first.created == total > 0
    assert again.created == 0
    assert again.suspects == 0
    assert WatchEvent.objects.count() == total


def test_the_pack_price_in_the_unit_column_is_flagged_and_its_events_held(
    demo_editions, watchlists
):
    a, b = demo_editions  # noqa: RUF059
    outcome = publication_events_compute(publication_id=b.pk)
    suspect = SuspectChange.objects.get(entry=entry_of(b, SUSPECT_LABEL))
    assert suspect.reason == SuspectReason.PACK_IN_UNIT
    assert suspect.ratio == Decimal("10.0000")
    held = WatchEvent.objects.filter(entry=suspect.entry)
    assert held.exists()
    assert set(held.values_list("hold", flat=True)) == {HoldState.HELD}
    assert outcome.held == WatchEvent.objects.filter(hold=HoldState.HELD).count()
    # Ordinary changes (2-6 %) are not suspect; the demo's renamed Davidoff, 23.40 → 13.00
    # (÷1.8), is beyond the ratio.
    flagged = {s.entry.raw_label: s.reason for s in SuspectChange.objects.select_related("entry")}
    assert flagged == {
        SUSPECT_LABEL: SuspectReason.PACK_IN_UNIT,
        "Davidoff Signature 2000, en 10 cigares": SuspectReason.RATIO,
    }


def test_matching_an_edition_queues_its_events(
    demo_editions, watchlists, django_capture_on_commit_callbacks
):
    a, b = demo_editions  # noqa: RUF059
    with django_capture_on_commit_callbacks(execute=True):
        publication_matched.send(sender=type(b), publication_id=b.pk)
    assert WatchEvent.objects.filter(publication=b, watchlist=watchlists["cigars"]).exists()


def test_a_review_decision_linking_an_entry_to_a_watched_cigar_raises_its_event(
    demo_editions, owner, django_capture_on_commit_callbacks
):
    a, b = demo_editions
    publication_events_compute(publication_id=b.pk)
    entry = entry_of(b, NEW_UNCATALOGUED)  # no cigar yet
    target = cigar_of(a, REPRICED)
    watchlist = watchlist_create(owner=owner, name="one", items=[ItemSpec("cigar", target.pk)])
    publication_events_compute(publication_id=b.pk)
    assert not WatchEvent.objects.filter(watchlist=watchlist, entry=entry).exists()
    with django_capture_on_commit_callbacks(execute=True):
        entry_repoint(entry=entry, cigar=target, actor=OperatorFactory(), note="test")
    assert entry.matches.get(cigar=target).status == MatchStatus.HUMAN_ACCEPTED
    event = WatchEvent.objects.get(watchlist=watchlist, entry=entry)
    assert event.kind == EventKind.NEW_PRODUCT
    assert event.cigar_id == target.pk
