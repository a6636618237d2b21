"""Commands (match, embed, calibrate_matching, export_matches), tasks and the ingestion hook."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from matching.models import CigarCustomsMatch, MatchingCalibration, MatchingRun, MatchStatus
from matching.services import match_accept, match_reject, publication_match
from matching.services.calibration import thresholds
from matching.services.export import EXPORT_COLUMNS
from tests.factories import CigarCustomsMatchFactory, OperatorFactory
from tests.matching.conftest import add_entries

pytestmark = pytest.mark.django_db

LABELS = [
    "Cohiba Robustos, en 25 cigares",
    "Cohiba Robutos, en 10 cigares",
    "Montecristo N° 4, en 25 cigares",
]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, verbosity=0)
    return out.getvalue()


def test_match_command_is_incremental_and_reports(habanos, publication):
    add_entries(publication, LABELS)
    out = run("match", "--publication", str(publication.pk), "--no-embed")
    assert "Matched 3 of 3 cigar entr(ies)" in out
    assert "AUTO_ACCEPTED: 2" in out
    again = run("match", "--source", "fr-douane-opendata", "--no-embed")
    assert "Matched 0 of 3" in again
    forced = run("match", "--all", "--force", "--no-embed")
    assert "Matched 3 of 3" in forced
    assert MatchingRun.objects.count() == 3


def test_match_command_refuses_unknown_scopes(db):
    with pytest.raises(CommandError, match="No publication"):
        run("match", "--publication", "999999", "--no-embed")
    with pytest.raises(CommandError, match="No source"):
        run("match", "--source", "nowhere", "--no-embed")


def test_export_csv_follows_the_contract(habanos, publication, tmp_path):
    add_entries(publication, LABELS)
    publication_match(publication=publication)
    target = tmp_path / "matches.csv"
    out = run("export_matches", "--format", "csv", str(target), "--status", "AUTO_ACCEPTED")
    assert "Exported 2 match(es)" in out
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    first = rows[0]
    assert first["raw_label"] == "Cohiba Robustos, en 25 cigares"
    assert first["cigar_full_name"] == "Cohiba Robustos"
    assert first["source_slug"] == "fr-douane-opendata"
    assert first["effective_date"] == "2026-09-01"
    assert first["pack_size"] == "25"
    assert first["currency"] == "EUR"
    assert first["status"] == "AUTO_ACCEPTED"
    assert first["method"] == "exact"
    assert first["rank"] == "1"
    assert Decimal(first["score"]) == Decimal("1.000")
    assert json.loads(first["signals"])["exact"] == 1.0
    assert list(tmp_path.iterdir()) == [target]


def test_export_json_has_the_same_keys(habanos, publication, tmp_path):
    add_entries(publication, LABELS)
    publication_match(publication=publication)
    target = tmp_path / "matches.json"
    run("export_matches", "--format", "json", str(target))
    records = json.loads(target.read_text(encoding="utf-8"))
    assert len(records) == CigarCustomsMatch.objects.count() == 12
    assert tuple(records[0]) == EXPORT_COLUMNS
    assert isinstance(records[0]["signals"], dict)
    assert records[0]["unit_price"] == "10.00"


def test_export_refuses_a_missing_directory(tmp_path, db):
    with pytest.raises(CommandError, match="does not exist"):
        run("export_matches", "--format", "csv", str(tmp_path / "no" / "x.csv"))


def test_threshold_fit_on_labelled_scores():
    import numpy as np

    scores = np.array([0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.3, 0.2])
    labels = np.array([1, 1, 1, 0, 1, 0, 0, 0, 0], dtype=float)
    accept, reject = thresholds(scores, labels, target_precision=0.99, max_recall_loss=0.0)
    assert accept == pytest.approx(0.85)
    assert reject == pytest.approx(0.7)


def test_calibrate_matching_stores_thresholds_from_human_decisions(habanos, publication):
    reviewer = OperatorFactory()
    for i in range(12):
        match_accept(
            match=CigarCustomsMatchFactory(
                score=Decimal("0.9") - Decimal(i) / 100,
                signals={"exact": 0, "fuzzy": 0.95, "vector": 0.9, "pack_compat": 1, "brand": 1},
            ),
            actor=reviewer,
        )
        match_reject(
            match=CigarCustomsMatchFactory(
                signals={
                    "exact": 0,
                    "fuzzy": 0.6,
                    "vector": 0.5,
                    "pack_compat": 0,
                    "brand": 1,
                    "penalty": 0.45,
                }
            ),
            actor=reviewer,
        )
    out = run("calibrate_matching", "--target-precision", "0.995")
    calibration = MatchingCalibration.objects.get()
    assert "threshold  precision  recall" in out
    assert f"Stored calibration {calibration.pk}" in out
    assert calibration.decisions == 24
    assert calibration.reject_threshold <= calibration.accept_threshold
    assert calibration.figures["curve"][0]["threshold"] == 0.0
    # Fitted per source: the engine reads these thresholds for that source's entries.
    from matching.conf import current_config

    assert calibration.source_slug == publication.source.slug
    assert current_config(calibration.source_slug).accept_threshold == float(
        calibration.accept_threshold
    )


def test_calibrate_matching_needs_decisions(db):
    with pytest.raises(CommandError, match="at least 20 human decisions"):
        run("calibrate_matching")
    assert not MatchingCalibration.objects.exists()


def test_schedules_are_registered_idempotently(db):
    from django_q.models import Schedule

    from matching.schedules import SCHEDULES, schedules_register

    schedules_register()
    schedules_register()
    assert Schedule.objects.filter(name__in=list(SCHEDULES)).count() == len(SCHEDULES)


def test_tasks_match_pending_entries(habanos, publication):
    from matching.tasks import match_pending

    add_entries(publication, LABELS)
    assert match_pending()["scored"] == 3
    assert match_pending()["scored"] == 0
    assert CigarCustomsMatch.objects.filter(rank=1, status=MatchStatus.AUTO_ACCEPTED).count() == 2


def test_the_ingestion_task_matches_without_a_model(habanos, publication, settings):
    from matching.tasks import publication_embed_and_match

    settings.EMBEDDING_MODEL = "/nonexistent/model-directory"
    add_entries(publication, LABELS)
    result = publication_embed_and_match(publication.pk)
    assert result[MatchStatus.AUTO_ACCEPTED] == 2
    best = CigarCustomsMatch.objects.filter(rank=1, status=MatchStatus.AUTO_ACCEPTED).first()
    assert best.signals["vector"] is None


def test_the_ingestion_task_ignores_a_vanished_publication(db):
    from matching.tasks import publication_embed_and_match

    assert publication_embed_and_match(999999) == {"publication": 999999, "skipped": True}
