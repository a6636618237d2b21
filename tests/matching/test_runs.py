"""The matcher's runs: statuses from thresholds, the HUMAN guard, the label memory,
incremental runs."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from catalogue.models import AliasKind, CigarAlias
from catalogue.services import brand_get_or_create, cigar_create, line_get_or_create
from matching.conf import default_config
from matching.models import (
    CigarCustomsMatch,
    EntryMatchState,
    MatchEvent,
    MatchingRun,
    MatchStatus,
)
from matching.services import (
    entry_mark_not_in_catalogue,
    match_accept,
    match_reject,
    publication_match,
)
from tests.factories import OperatorFactory
from tests.matching.conftest import add_entries, cigar, new_publication

pytestmark = pytest.mark.django_db


def best(entry) -> CigarCustomsMatch:
    return CigarCustomsMatch.objects.select_related("cigar").get(price_entry=entry, rank=1)


def test_statuses_follow_the_thresholds(habanos, publication):
    exact, typo, sibling, unknown = add_entries(
        publication,
        [
            "Cohiba Robustos, en 25 cigares",
            "Cohiba Robutos, en 25 cigares",
            "Cohiba Siglo VII, en 10 cigares",
            "Padron 1926, N° 9",
        ],
    )
    outcome = publication_match(publication=publication)
    config = default_config()

    assert best(exact).status == MatchStatus.AUTO_ACCEPTED
    assert best(exact).cigar == cigar("Cohiba Robustos")
    assert best(exact).match_method == "exact"
    assert config.reject_threshold <= float(best(typo).score) < config.accept_threshold
    assert best(typo).status == MatchStatus.PENDING_REVIEW
    assert best(sibling).status == MatchStatus.AUTO_REJECTED
    assert "numbers differ: 7 vs 6" in best(sibling).signals["constraints"]
    assert best(unknown).status == MatchStatus.AUTO_REJECTED
    assert outcome.run.entries_scored == 4
    assert outcome.run.counts[MatchStatus.AUTO_ACCEPTED] == 1


def test_alternatives_are_kept_with_their_rank_and_at_most_one_accepted(habanos, publication):
    (entry,) = add_entries(publication, ["Montecristo N° 4, en 25 cigares"])
    publication_match(publication=publication)
    rows = list(CigarCustomsMatch.objects.filter(price_entry=entry).order_by("rank"))
    assert [r.rank for r in rows] == [1, 2, 3, 4]
    assert [r.status for r in rows] == [MatchStatus.AUTO_ACCEPTED] + [MatchStatus.AUTO_REJECTED] * 3
    assert rows[0].score > rows[1].score >= rows[2].score
    assert rows[0].signals["margin"] == pytest.approx(
        float(rows[0].score - rows[1].score), abs=0.002
    )
    assert MatchEvent.objects.filter(match__price_entry=entry, from_status="").count() == 4


def test_only_cigar_category_entries_are_candidates(habanos, publication):
    add_entries(publication, ["Cohiba Robustos, en 20 cigarettes"], category="Cigarettes")
    (cigars,) = add_entries(publication, ["Cohiba Robustos, en 25 cigares"], start=5)
    outcome = publication_match(publication=publication)
    assert outcome.run.entries_seen == 1
    assert set(CigarCustomsMatch.objects.values_list("price_entry_id", flat=True)) == {cigars.pk}


def test_a_rerun_that_no_longer_supports_an_auto_accept_demotes_it(habanos, publication):
    (entry,) = add_entries(publication, ["Cohiba Robustos, en 25 cigares"])
    publication_match(publication=publication)
    row = best(entry)
    assert row.status == MatchStatus.AUTO_ACCEPTED
    # The catalogue renames the cigar: the old acceptance is no longer supported.
    robustos = row.cigar
    robustos.vitola_name = "Robustos Supremos"
    robustos.full_name = "Cohiba Robustos Supremos"
    robustos.save()
    publication_match(publication=publication, force=True)
    row.refresh_from_db()
    assert row.status != MatchStatus.AUTO_ACCEPTED
    assert not CigarCustomsMatch.objects.filter(
        price_entry=entry, status=MatchStatus.AUTO_ACCEPTED
    ).exists()
    assert MatchEvent.objects.filter(
        match=row, from_status=MatchStatus.AUTO_ACCEPTED, to_status=row.status
    ).exists()


def test_a_human_decision_survives_a_forced_rerun(habanos, publication):
    operator = OperatorFactory()
    accepted, rejected = add_entries(
        publication, ["Cohiba Robutos, en 25 cigares", "Montecristo N° 4, en 25 cigares"]
    )
    publication_match(publication=publication)
    alternative = CigarCustomsMatch.objects.get(price_entry=accepted, rank=2)
    match_accept(match=alternative, actor=operator, note="the reviewer knows better")
    match_reject(match=best(rejected), actor=operator)
    rejected_cigar = CigarCustomsMatch.objects.get(
        price_entry=rejected, status=MatchStatus.HUMAN_REJECTED
    ).cigar_id

    publication_match(publication=publication, force=True)

    alternative.refresh_from_db()
    assert alternative.status == MatchStatus.HUMAN_ACCEPTED
    assert alternative.decided_by == operator
    assert alternative.note == "the reviewer knows better"
    assert (
        CigarCustomsMatch.objects.filter(
            price_entry=accepted, status__in=[MatchStatus.AUTO_ACCEPTED, MatchStatus.HUMAN_ACCEPTED]
        ).count()
        == 1
    )
    human_rejected = CigarCustomsMatch.objects.get(price_entry=rejected, cigar_id=rejected_cigar)
    assert human_rejected.status == MatchStatus.HUMAN_REJECTED
    # The human choice stays first; the matcher's candidates rank after it.
    ranks = dict(CigarCustomsMatch.objects.filter(price_entry=accepted).values_list("pk", "rank"))
    assert ranks.pop(alternative.pk) == 1
    assert min(ranks.values()) >= 2


def test_the_write_itself_guards_human_rows(habanos, publication):
    """Even a writer that ignores the lock cannot overwrite a HUMAN row (ON CONFLICT … WHERE)."""
    from matching.services.runs import EntryInput, EntryResult, ScoredRow, write_results

    (entry,) = add_entries(publication, ["Cohiba Robustos, en 25 cigares"])
    publication_match(publication=publication)
    row = best(entry)
    match_reject(match=row, actor=OperatorFactory())
    forged = EntryResult(
        entry=EntryInput(
            entry.pk, "fr-douane-opendata", entry.raw_label, entry.normalised_label, ""
        ),
        outcome="scored",
        rows=[ScoredRow(row.cigar_id, "exact", 1.0, {}, MatchStatus.AUTO_ACCEPTED, 1)],
    )
    write_results([forged])
    row.refresh_from_db()
    assert row.status == MatchStatus.HUMAN_REJECTED


@pytest.mark.django_db(transaction=True)
def test_a_rerun_racing_a_human_decision_in_another_thread(habanos, douane):
    publication = new_publication(douane, dt.date(2026, 9, 1))
    labels = [f"Cohiba Robutos, en {n} cigares" for n in range(1, 40)]
    entries = add_entries(publication, labels)
    publication_match(publication=publication)
    operator = OperatorFactory()
    targets = [CigarCustomsMatch.objects.get(price_entry=e, rank=2) for e in entries]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def rerun():
        try:
            start.wait()
            publication_match(publication=publication, force=True)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    def decide():
        try:
            start.wait()
            for target in targets:
                match_accept(match=target, actor=operator)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=rerun), threading.Thread(target=decide)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    for entry, target in zip(entries, targets, strict=True):
        target.refresh_from_db()
        assert target.status == MatchStatus.HUMAN_ACCEPTED
        accepted = CigarCustomsMatch.objects.filter(
            price_entry=entry, status__in=[MatchStatus.AUTO_ACCEPTED, MatchStatus.HUMAN_ACCEPTED]
        )
        assert list(accepted) == [target]


def test_incremental_runs_skip_decided_and_already_scored_entries(habanos, publication):
    first, second = add_entries(
        publication, ["Cohiba Robutos, en 25 cigares", "Montecristo N° 4, en 25 cigares"]
    )
    assert publication_match(publication=publication).run.entries_scored == 2
    assert publication_match(publication=publication).run.entries_scored == 0
    match_accept(match=best(first), actor=OperatorFactory())
    # A relabelled entry is scored again; the decided one never (without force).
    second.raw_label = "Montecristo N° 2, en 25 cigares"
    second.save()
    outcome = publication_match(publication=publication, keep_results=True)
    assert [r.entry.pk for r in outcome.results] == [second.pk]
    assert best(second).cigar == cigar("Montecristo No.2")
    assert EntryMatchState.objects.get(price_entry=second).label_key.startswith("montecristo no 2")
    assert MatchingRun.objects.count() == 3


def test_an_accepted_label_is_an_alias_in_the_next_edition(habanos, douane):
    september = new_publication(douane, dt.date(2026, 9, 1))
    (entry,) = add_entries(september, ["Cohiba Robutos, en 25 cigares"])
    publication_match(publication=september)
    match_accept(match=best(entry), actor=OperatorFactory())
    assert CigarAlias.objects.filter(
        kind=AliasKind.ACCEPTED, normalised_label=entry.normalised_label
    ).exists()

    november = new_publication(douane, dt.date(2026, 11, 1))
    (again,) = add_entries(november, ["Cohiba Robutos, en 25 cigares"])
    publication_match(publication=november)
    row = best(again)
    assert row.match_method == "alias"
    assert row.status == MatchStatus.AUTO_ACCEPTED
    assert row.score == Decimal("1.000")
    assert row.cigar == cigar("Cohiba Robustos")


def test_a_rejected_pair_is_never_proposed_again(habanos, douane):
    september = new_publication(douane, dt.date(2026, 9, 1))
    (entry,) = add_entries(september, ["Cohiba Robutos, en 25 cigares"])
    publication_match(publication=september)
    wrong = best(entry).cigar
    match_reject(match=best(entry), actor=OperatorFactory())

    november = new_publication(douane, dt.date(2026, 11, 1))
    (again,) = add_entries(november, ["Cohiba Robutos, en 25 cigares"])
    publication_match(publication=november)
    assert not CigarCustomsMatch.objects.filter(price_entry=again, cigar=wrong).exists()
    assert CigarCustomsMatch.objects.filter(price_entry=again).exists()


def test_not_in_catalogue_stays_resolved_then_reopens_for_a_fitting_cigar(habanos, douane):
    september = new_publication(douane, dt.date(2026, 9, 1))
    label = "Cohiba Talisman, en 10 cigares"
    (entry,) = add_entries(september, [label])
    publication_match(publication=september)
    entry_mark_not_in_catalogue(entry=entry, actor=OperatorFactory())
    assert not CigarCustomsMatch.objects.filter(
        price_entry=entry, status=MatchStatus.PENDING_REVIEW
    ).exists()

    november = new_publication(douane, dt.date(2026, 11, 1))
    (again,) = add_entries(november, [label])
    publication_match(publication=november)
    assert set(
        CigarCustomsMatch.objects.filter(price_entry=again).values_list("status", flat=True)
    ) == {MatchStatus.AUTO_REJECTED}
    assert EntryMatchState.objects.get(price_entry=again).outcome == "not_in_catalogue"

    # The catalogue gains the cigar: the label is reopened for a human, not auto-accepted.
    cohiba, _ = brand_get_or_create(name="Cohiba")
    line, _ = line_get_or_create(brand=cohiba, name="")
    talisman = cigar_create(line=line, vitola_name="Talisman")
    january = new_publication(douane, dt.date(2027, 1, 1))
    (third,) = add_entries(january, [label])
    publication_match(publication=january)
    row = best(third)
    assert row.cigar == talisman
    assert row.status == MatchStatus.PENDING_REVIEW
    assert EntryMatchState.objects.get(price_entry=third).outcome == "reopened"


def test_a_run_that_fails_midway_keeps_its_batches_and_says_why(habanos, publication, monkeypatch):
    from matching.services import runs

    add_entries(
        publication,
        [
            "Cohiba Robustos, en 25 cigares",
            "Montecristo N° 4, en 25 cigares",
            "Cohiba Siglo VI, en 10 cigares",
        ],
    )
    real_write = runs.write_results
    calls = []

    def write_then_fail(results, **kwargs):
        calls.append(len(results))
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_write(results, **kwargs)

    monkeypatch.setattr(runs, "BATCH_SIZE", 2)
    monkeypatch.setattr(runs, "write_results", write_then_fail)
    with pytest.raises(RuntimeError, match="went away"):
        publication_match(publication=publication)
    run = MatchingRun.objects.get()
    assert run.finished_at is not None
    assert run.error == "RuntimeError: the database went away"
    assert run.entries_scored == 2
    assert CigarCustomsMatch.objects.filter(rank=1).count() == 2

    # A re-run scores only the entry the failed run did not reach.
    monkeypatch.setattr(runs, "write_results", real_write)
    assert publication_match(publication=publication).run.entries_scored == 1
