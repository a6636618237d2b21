"""Review at scale: groups across editions and presentations, splits, one decision per group,
whole brands "not carried" and their labels reopened by a fitting cigar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from catalogue.models import AliasKind, CigarAlias
from catalogue.services import cigar_create, line_get_or_create
from matching.group_selectors import entry_group, queue_counts, queue_grouped
from matching.models import (
    CigarCustomsMatch,
    EntryMatchState,
    MatchEvent,
    MatchStatus,
    ReviewGroupMember,
)
from matching.selectors import review_queue
from matching.services import match_accept, publication_match
from matching.services.groups import (
    brand_mark_not_carried,
    group_members_refresh,
    group_settle_members,
    group_split,
    labels_reopen_for_cigar,
)
from tests.factories import CigarCustomsMatchFactory, OperatorFactory
from tests.matching.conftest import add_entries, cigar, new_publication

pytestmark = pytest.mark.django_db

ROBUSTOS_JUNE = ["Cohiba Robustos, en 25 cigares", "Cohiba Robustos (tube), en 3 cigares"]
ROBUSTOS_NOVEMBER = [
    "Cohiba Robustos, en 25 cigares",
    "Cohiba Robustos Tubos, en 3 cigares",
    "Cohiba Robustos (coffret), en 10 cigares",
]
OTHER = ["Cohiba Siglo VI, en 10 cigares", "Cohiba Robustos Edición Limitada 2021, en 10 cigares"]


def pending(entry, proposed, score: str = "0.700") -> CigarCustomsMatch:
    """The entry's best candidate, awaiting a human (as a matcher run leaves it)."""
    return CigarCustomsMatchFactory(
        price_entry=entry, cigar=proposed, status=MatchStatus.PENDING_REVIEW, rank=1,
        score=Decimal(score),
    )  # fmt: skip


@pytest.fixture
def two_editions(habanos, douane):
    june = new_publication(douane, dt.date(2026, 6, 1))
    november = new_publication(douane, dt.date(2026, 11, 1))
    june_entries = add_entries(june, ROBUSTOS_JUNE)
    november_entries = add_entries(november, [*ROBUSTOS_NOVEMBER, *OTHER])
    robustos = cigar("Cohiba Robustos")
    rows = [pending(e, robustos) for e in june_entries + november_entries[:3]]
    others = [pending(e, robustos, "0.600") for e in november_entries[3:]]
    group_members_refresh()
    return {
        "robustos": robustos,
        "group": june_entries + november_entries[:3],
        "rows": rows,
        "others": [row.price_entry for row in others],
        "june": june,
        "november": november,
    }


def keys(entries) -> set[str]:
    return set(
        ReviewGroupMember.objects.filter(price_entry__in=entries).values_list(
            "group_key", flat=True
        )
    )


def test_one_group_across_editions_and_presentations(two_editions):
    group = two_editions["group"]
    assert len(keys(group)) == 1
    # Another vitola, or the same name in a limited edition, is another product.
    assert keys(two_editions["others"]).isdisjoint(keys(group))
    assert len(keys(two_editions["others"])) == 2

    view = entry_group(entry=group[0])
    assert {e.pk for e in view.entries} == {e.pk for e in group}
    assert (view.size.editions, view.size.presentations, view.size.lines) == (2, 4, 5)
    assert view.size.caption == "appears in 2 editions, 4 presentations"

    queue = review_queue()
    counts = queue_counts(queue)
    assert (counts.items, counts.lines) == (3, 7)
    shown = list(queue_grouped(queue))
    assert len(shown) == 3
    assert sum(row.price_entry_id in {e.pk for e in group} for row in shown) == 1


def test_one_decision_settles_the_group_with_an_event_per_entry(two_editions, douane):
    group, robustos = two_editions["group"], two_editions["robustos"]
    operator = OperatorFactory()
    first = two_editions["rows"][0]
    outcome = group_settle_members(
        entry=group[0],
        action="accept",
        cigar=robustos,
        actor=operator,
        decide_entry=lambda: match_accept(match=first, actor=operator),
    )
    assert sorted(outcome.settled) == sorted(e.pk for e in group)
    assert outcome.conflicts == []
    accepted = CigarCustomsMatch.objects.filter(
        price_entry__in=group, status=MatchStatus.HUMAN_ACCEPTED
    )
    assert {(m.price_entry_id, m.cigar_id) for m in accepted} == {
        (e.pk, robustos.pk) for e in group
    }
    events = MatchEvent.objects.filter(
        match__price_entry__in=group, to_status=MatchStatus.HUMAN_ACCEPTED, actor=operator
    )
    assert sorted(events.values_list("match__price_entry_id", flat=True)) == sorted(
        e.pk for e in group
    )
    # The other products of the queue are untouched.
    assert not CigarCustomsMatch.objects.filter(
        price_entry__in=two_editions["others"], status__in=[MatchStatus.HUMAN_ACCEPTED]
    ).exists()
    # Remembered per label: a later edition's presentations resolve without review.
    assert CigarAlias.objects.filter(
        kind=AliasKind.ACCEPTED, cigar=robustos, source_slug=douane.slug
    ).exists()
    january = new_publication(douane, dt.date(2027, 1, 1))
    (later,) = add_entries(january, ["Cohiba Robustos (tube), en 3 cigares"])
    publication_match(publication=january)
    best = CigarCustomsMatch.objects.get(price_entry=later, rank=1)
    assert (best.cigar_id, best.status) == (robustos.pk, MatchStatus.AUTO_ACCEPTED)


def test_a_split_label_leaves_its_group_and_is_decided_alone(two_editions, douane):
    group = two_editions["group"]
    tubos = next(e for e in group if "Tubos" in e.raw_label)
    created = group_split(
        source_slug=douane.slug, normalised_labels=[tubos.normalised_label], actor=OperatorFactory()
    )
    assert created == 1
    rest = [e for e in group if e.pk != tubos.pk]
    assert len(keys(rest)) == 1
    assert keys([tubos]).isdisjoint(keys(rest))
    assert len(list(queue_grouped(review_queue()))) == 4

    operator = OperatorFactory()
    outcome = group_settle_members(entry=rest[0], action="not_in_catalogue", actor=operator)
    assert sorted(outcome.settled) == sorted(e.pk for e in rest[1:])
    assert CigarCustomsMatch.objects.get(price_entry=tubos).status == MatchStatus.PENDING_REVIEW
    # A later refresh keeps the split (it is remembered per label).
    group_members_refresh(recompute=True)
    assert keys([tubos]).isdisjoint(keys(rest))


def test_a_brand_not_carried_then_a_fitting_cigar_reopens_its_labels(habanos, douane):
    june = new_publication(douane, dt.date(2026, 6, 1))
    esmeralda_label = "Trinidad Esmeralda, en 12 cigares"
    esmeralda, topes = add_entries(june, [esmeralda_label, "Trinidad Topes, en 12 cigares"])
    (robustos,) = add_entries(june, ["Cohiba Robustos, en 25 cigares"], start=5)
    reyes = cigar("Trinidad Reyes")
    for entry in (esmeralda, topes):
        pending(entry, reyes, "0.500")
    pending(robustos, cigar("Cohiba Robustos"))
    group_members_refresh()
    brand_key = ReviewGroupMember.objects.get(price_entry=esmeralda).brand_key
    assert brand_key == f"b{reyes.line.brand_id}"

    outcome = brand_mark_not_carried(brand_key=brand_key, actor=OperatorFactory())
    assert sorted(outcome.settled) == sorted([esmeralda.pk, topes.pk])
    assert set(
        CigarAlias.objects.filter(kind=AliasKind.NOT_IN_CATALOGUE).values_list(
            "normalised_label", flat=True
        )
    ) == {esmeralda.normalised_label, topes.normalised_label}
    # Another brand's label still waits.
    assert CigarCustomsMatch.objects.get(price_entry=robustos).status == MatchStatus.PENDING_REVIEW

    # A later edition resolves without review.
    november = new_publication(douane, dt.date(2026, 11, 1))
    (again,) = add_entries(november, [esmeralda_label])
    publication_match(publication=november)
    assert not CigarCustomsMatch.objects.filter(
        price_entry=again, status=MatchStatus.PENDING_REVIEW
    ).exists()

    # The catalogue gains the Esmeralda: its labels reopen, the Topes stays resolved.
    line, _ = line_get_or_create(brand=reyes.line.brand, name=reyes.line.name)
    new = cigar_create(line=line, vitola_name="Esmeralda", length_mm=Decimal("185"), ring_gauge=53)
    reopened = labels_reopen_for_cigar(cigar=new)
    assert sorted(reopened) == sorted([esmeralda.pk, again.pk])
    for entry in (esmeralda, again):
        best = CigarCustomsMatch.objects.get(price_entry=entry, rank=1)
        assert (best.cigar_id, best.status) == (new.pk, MatchStatus.PENDING_REVIEW)
        assert EntryMatchState.objects.get(price_entry=entry).outcome == "reopened"
    assert not CigarCustomsMatch.objects.filter(
        price_entry=topes, status=MatchStatus.PENDING_REVIEW
    ).exists()
    # The earlier decision is kept as the reviewer left it.
    assert CigarCustomsMatch.objects.get(price_entry=esmeralda, cigar=reyes).status == (
        MatchStatus.HUMAN_REJECTED
    )


def test_adding_a_cigar_queues_the_reopening_after_commit(
    habanos, douane, django_capture_on_commit_callbacks
):
    june = new_publication(douane, dt.date(2026, 6, 1))
    (entry,) = add_entries(june, ["Trinidad Esmeralda, en 12 cigares"])
    reyes = cigar("Trinidad Reyes")
    pending(entry, reyes, "0.500")
    group_members_refresh()
    brand_mark_not_carried(brand_key=f"b{reyes.line.brand_id}", actor=OperatorFactory())

    # The hook (matching.apps) queues the task after the commit; tasks run inline in tests.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        new = cigar_create(line=reyes.line, vitola_name="Esmeralda", ring_gauge=53)
    assert callbacks
    best = CigarCustomsMatch.objects.get(price_entry=entry, rank=1)
    assert (best.cigar_id, best.status) == (new.pk, MatchStatus.PENDING_REVIEW)


def test_cigars_created_from_entries_duplicates_refused(habanos, douane):
    from matching.services.bulk_create import bulk_create_rows, cigars_create_from_rows

    june = new_publication(douane, dt.date(2026, 6, 1))
    november = new_publication(douane, dt.date(2026, 11, 1))
    esmeralda = add_entries(june, ["Trinidad Esmeralda, en 12 cigares"]) + add_entries(
        november, ["Trinidad Esmeralda (tube), en 3 cigares"]
    )
    (robustos,) = add_entries(november, ["Cohiba Robustos, en 25 cigares"], start=5)
    reyes = cigar("Trinidad Reyes")
    for entry in esmeralda:
        pending(entry, reyes, "0.500")
    pending(robustos, cigar("Cohiba Robustos"), "0.600")

    rows = bulk_create_rows(entry_ids=[*(e.pk for e in esmeralda), robustos.pk])
    assert len(rows) == 2  # one per product, both editions and presentations in one row
    new_row = next(r for r in rows if r.brand_name == "Trinidad")
    assert new_row.vitola_name == "Esmeralda"
    assert sorted(new_row.entry_ids) == sorted(e.pk for e in esmeralda)
    assert new_row.packages == "box:12; tube:3"
    assert new_row.existing is None
    duplicate = next(r for r in rows if r.brand_name == "Cohiba")
    assert duplicate.existing == cigar("Cohiba Robustos")

    operator = OperatorFactory()
    edited = [{**r.as_initial(), "ring_gauge": 53} for r in rows]
    outcome = cigars_create_from_rows(rows=edited, actor=operator)

    assert [reason for _row, reason, _existing in outcome.refused] == [
        "already in the catalogue: Cohiba Robustos"
    ]
    assert outcome.refused[0][2] == cigar("Cohiba Robustos")
    ((created, lines),) = outcome.created
    assert (created.full_name, created.ring_gauge, created.needs_review) == (
        "Trinidad Esmeralda",
        53,
        True,
    )
    assert sorted(created.packages.values_list("pack_size", flat=True)) == [3, 12]
    assert lines == 2
    (record,) = created.source_records.all()
    assert record.parser == "official-price-list"
    assert sorted(record.stats["entries"]) == sorted(e.pk for e in esmeralda)
    assert operator.email in record.notes
    for entry in esmeralda:
        best = CigarCustomsMatch.objects.get(price_entry=entry, status=MatchStatus.HUMAN_ACCEPTED)
        assert best.cigar == created
        assert MatchEvent.objects.filter(
            match=best, to_status=MatchStatus.HUMAN_ACCEPTED, actor=operator
        ).exists()
    # The duplicate's entry still waits for its own decision.
    assert CigarCustomsMatch.objects.get(price_entry=robustos).status == MatchStatus.PENDING_REVIEW


def test_cigars_of_one_brand_added_together_queue_one_reopening(
    habanos, douane, django_capture_on_commit_callbacks, monkeypatch
):
    import django_q.tasks
    from django.core.cache import cache

    from matching.tasks import REOPEN_FLAG, reopen_labels_for_brand

    june = new_publication(douane, dt.date(2026, 6, 1))
    (entry,) = add_entries(june, ["Trinidad Esmeralda, en 12 cigares"])
    reyes = cigar("Trinidad Reyes")
    pending(entry, reyes, "0.500")
    group_members_refresh()
    brand_mark_not_carried(brand_key=f"b{reyes.line.brand_id}", actor=OperatorFactory())
    queued = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda *args, **kw: queued.append(args))

    # As a worker would see it: the task waits while the import goes on.
    with django_capture_on_commit_callbacks(execute=True):
        cigar_create(line=reyes.line, vitola_name="Esmeralda", ring_gauge=53)
        cigar_create(line=reyes.line, vitola_name="Topes", ring_gauge=56)
    assert queued == [("matching.tasks.reopen_labels_for_brand", reyes.line.brand_id)]

    # The task clears the flag first: a cigar added after it started queues the next run.
    assert reopen_labels_for_brand(reyes.line.brand_id)["reopened"] == [entry.pk]
    assert cache.get(REOPEN_FLAG.format(reyes.line.brand_id)) is None
