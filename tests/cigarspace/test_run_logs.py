"""Every ingestion and matching run logs its counts and duration (issue 10, item 4)."""

from __future__ import annotations

import logging

import pytest

from customs.models import CustomsSource
from customs.services.runs import run_finish, run_start
from matching.services.runs import publication_match
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_customs_run_logs_its_outcome_counts_and_duration(caplog):
    source = CustomsSource.objects.get(slug="fr-douane-opendata")
    run = run_start(kind="discover", source=source)
    with caplog.at_level(logging.INFO, logger="customs.services.runs"):
        run_finish(run=run, outcome="ok", summary={"found": 3, "created": 1})
    (record,) = [r for r in caplog.records if r.name == "customs.services.runs"]
    assert f"run {run.pk} finished: ok in" in record.getMessage()
    assert "'found': 3" in record.getMessage()
    assert record.summary == {"found": 3, "created": 1}


def test_a_matching_run_logs_entries_and_duration(caplog):
    entry = f.CustomsPriceEntryFactory()
    with caplog.at_level(logging.INFO, logger="matching.services.runs"):
        outcome = publication_match(publication=entry.publication)
    records = [r for r in caplog.records if r.name == "matching.services.runs"]
    assert records, "the run logged nothing"
    message = records[-1].getMessage()
    assert f"matching run {outcome.run.pk} finished: 1 entries seen" in message
    assert records[-1].duration_seconds == outcome.run.duration_seconds
