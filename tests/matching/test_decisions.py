"""Human decisions: accept, reject, re-point, not in the catalogue, create a cigar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from catalogue.models import AliasKind, Cigar, CigarAlias
from matching.models import CigarCustomsMatch, MatchEvent, MatchStatus
from matching.services import (
    DecisionConflict,
    entry_create_cigar,
    entry_create_cigar_initial,
    entry_mark_not_in_catalogue,
    entry_repoint,
    match_accept,
    match_reject,
    publication_match,
)
from tests.factories import OperatorFactory
from tests.matching.conftest import add_entries, cigar

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(db):
    return OperatorFactory()


@pytest.fixture
def matched(habanos, publication):
    entries = add_entries(
        publication,
        [
            "Cohiba Robutos, en 25 cigares",
            "Montecristo N° 4, en 25 cigares",
            "Cohiba Talisman Edition Limitée 2017, en 10 cigares",
        ],
    )
    publication_match(publication=publication)
    return entries


def best(entry) -> CigarCustomsMatch:
    return CigarCustomsMatch.objects.get(price_entry=entry, rank=1)


def test_accept_records_the_decision_an_event_and_an_alias(matched, reviewer):
    row = best(matched[0])
    before = row.updated_at
    accepted = match_accept(match=row, actor=reviewer, note="checked", expected_updated_at=before)
    assert accepted.status == MatchStatus.HUMAN_ACCEPTED
    assert accepted.decided_by == reviewer
    assert accepted.decided_at is not None
    event = MatchEvent.objects.filter(match=row).first()
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        MatchStatus.PENDING_REVIEW,
        MatchStatus.HUMAN_ACCEPTED,
        reviewer,
        "checked",
    )
    alias = CigarAlias.objects.get(kind=AliasKind.ACCEPTED)
    assert (alias.source_slug, alias.normalised_label, alias.cigar_id) == (
        "fr-douane-opendata",
        matched[0].normalised_label,
        row.cigar_id,
    )


def test_a_stale_decision_raises_a_conflict_instead_of_overwriting(matched, reviewer):
    row = best(matched[0])
    loaded_at = row.updated_at
    match_reject(match=row, actor=OperatorFactory(), expected_updated_at=loaded_at)
    with pytest.raises(DecisionConflict):
        match_accept(match=row, actor=reviewer, expected_updated_at=loaded_at)
    with pytest.raises(DecisionConflict):
        match_accept(match=row, actor=reviewer)
    row.refresh_from_db()
    assert row.status == MatchStatus.HUMAN_REJECTED


def test_accepting_an_alternative_demotes_the_automatic_best(matched, reviewer):
    entry = matched[1]
    auto = best(entry)
    assert auto.status == MatchStatus.AUTO_ACCEPTED
    alternative = CigarCustomsMatch.objects.get(price_entry=entry, rank=3)
    match_accept(match=alternative, actor=reviewer)
    auto.refresh_from_db()
    alternative.refresh_from_db()
    assert auto.status == MatchStatus.AUTO_REJECTED
    assert alternative.status == MatchStatus.HUMAN_ACCEPTED
    assert alternative.rank == 1


def test_reject_records_a_rejected_pair(matched, reviewer):
    row = match_reject(match=best(matched[0]), actor=reviewer, note="a different cigar")
    assert row.status == MatchStatus.HUMAN_REJECTED
    assert CigarAlias.objects.filter(
        kind=AliasKind.REJECTED, cigar_id=row.cigar_id, normalised_label=matched[0].normalised_label
    ).exists()


def test_repoint_accepts_the_chosen_cigar_and_rejects_the_previous_best(matched, reviewer):
    entry = matched[0]
    previous = best(entry)
    chosen_cigar = cigar("Cohiba Siglo VI")
    chosen = entry_repoint(
        entry=entry,
        cigar=chosen_cigar,
        actor=reviewer,
        note="the supplier's typo hides a Siglo",
        expected_updated_at=previous.updated_at,
    )
    previous.refresh_from_db()
    assert chosen.cigar == chosen_cigar
    assert chosen.status == MatchStatus.HUMAN_ACCEPTED
    assert chosen.match_method == "human"
    assert chosen.rank == 1
    assert "numbers differ: none vs 6" in chosen.signals["constraints"]
    assert previous.status == MatchStatus.HUMAN_REJECTED
    assert previous.rank > 1
    kinds = set(
        CigarAlias.objects.filter(normalised_label=entry.normalised_label).values_list(
            "kind", "cigar_id"
        )
    )
    assert kinds == {
        (AliasKind.ACCEPTED, chosen_cigar.pk),
        (AliasKind.REJECTED, previous.cigar_id),
    }
    assert MatchEvent.objects.filter(match__price_entry=entry, actor=reviewer).count() == 2


def test_repoint_with_a_stale_view_conflicts(matched, reviewer):
    entry = matched[0]
    previous = best(entry)
    stale = previous.updated_at - dt.timedelta(seconds=1)
    with pytest.raises(DecisionConflict):
        entry_repoint(
            entry=entry, cigar=cigar("Cohiba Siglo VI"), actor=reviewer, expected_updated_at=stale
        )
    assert not CigarCustomsMatch.objects.filter(status=MatchStatus.HUMAN_ACCEPTED).exists()


def test_not_in_catalogue_rejects_the_proposal_and_remembers_the_label(matched, reviewer):
    entry = matched[0]
    entry_mark_not_in_catalogue(entry=entry, actor=reviewer)
    assert best(entry).status == MatchStatus.HUMAN_REJECTED
    alias = CigarAlias.objects.get(kind=AliasKind.NOT_IN_CATALOGUE)
    assert alias.cigar is None
    assert alias.normalised_label == entry.normalised_label


def test_not_in_catalogue_refuses_an_entry_a_human_accepted(matched, reviewer):
    match_accept(match=best(matched[0]), actor=reviewer)
    with pytest.raises(DecisionConflict):
        entry_mark_not_in_catalogue(entry=matched[0], actor=OperatorFactory())


def test_create_cigar_initial_values_come_from_the_label(matched):
    initial = entry_create_cigar_initial(entry=matched[2])
    assert initial["brand_name"] == "Cohiba"
    assert initial["vitola_name"] == "Talisman"
    assert initial["pack_size"] == 10


def test_create_cigar_from_an_entry_accepts_it(matched, reviewer):
    entry = matched[2]
    previous = best(entry)
    row = entry_create_cigar(
        entry=entry,
        actor=reviewer,
        brand_name="Cohiba",
        line_name="",
        vitola_name="Talisman",
        pack_size=10,
        ring_gauge=54,
    )
    created = Cigar.objects.get(full_name="Cohiba Talisman")
    assert row.cigar == created
    assert row.status == MatchStatus.HUMAN_ACCEPTED
    assert created.ring_gauge == 54
    assert list(created.packages.values_list("pack_size", flat=True)) == [10]
    previous.refresh_from_db()
    assert previous.status == MatchStatus.HUMAN_REJECTED


def test_create_cigar_needs_a_brand_and_a_vitola(matched, reviewer):
    with pytest.raises(ValidationError):
        entry_create_cigar(
            entry=matched[2], actor=reviewer, brand_name=" ", line_name="", vitola_name="X"
        )
    assert not Cigar.objects.filter(vitola_name="X").exists()
