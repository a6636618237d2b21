"""The admin index as the reviewers' dashboard (the app list stays)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from customs.models import PublicationStatus, RunKind, RunOutcome
from matching.admin.dashboard import decisions_per_day
from matching.models import MatchEvent, MatchingRun, MatchStatus
from tests.factories import (
    CustomsPublicationFactory,
    CustomsRunFactory,
    CustomsSourceFactory,
    MatchEventFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(queue, reviewer):
    source = CustomsSourceFactory()
    CustomsPublicationFactory(
        source=source,
        effective_date=dt.date(2027, 1, 1),
        status=PublicationStatus.FAILED,
        failed_stage="parse",
        error="sheet layout changed",
        title="Arrêté janvier 2027",
    )
    CustomsRunFactory(
        kind=RunKind.INGEST, outcome=RunOutcome.FAILED, source=source, message="HTTP 503 twice"
    )
    MatchingRun.objects.create(
        scope="publication 9", error="out of memory", started_at=timezone.now()
    )
    # Killed without a trace, long ago: interrupted. Still going, recently: not a failure.
    MatchingRun.objects.create(
        scope="publication 10", started_at=timezone.now() - dt.timedelta(days=1)
    )
    MatchingRun.objects.create(scope="publication 11", started_at=timezone.now())
    for _ in range(3):
        MatchEventFactory(
            match=queue["best"][0], actor=reviewer, from_status="PENDING_REVIEW",
            to_status=MatchStatus.HUMAN_ACCEPTED,
        )  # fmt: skip
    # Automatic transitions are not review throughput.
    MatchEventFactory(match=queue["best"][1], to_status=MatchStatus.AUTO_ACCEPTED)
    return source


def test_dashboard_shows_queue_editions_failures_and_throughput(reviewer_client, activity):
    response = reviewer_client.get(reverse("admin:index"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="review-dashboard"' in page
    assert '<p class="big-number" id="dashboard-pending">3</p>' in page
    assert '<td class="status-failed">Failed</td>' in page
    assert "2027-01-01" in page or "Jan. 1, 2027" in page
    assert "HTTP 503 twice" in page
    assert "out of memory" in page
    assert "Interrupted: never finished" in page
    assert "publication 10" in page
    assert "publication 11" not in page
    assert 'class="review-chart daily-decisions"' in page
    assert "3 in 14 days" in page
    # The app list is still there.
    assert reverse("admin:matching_cigarcustomsmatch_changelist") in page
    assert 'id="content-main"' in page


def test_decisions_per_day_counts_human_decisions_zero_filled(activity):
    today = timezone.localdate()
    MatchEvent.objects.filter(to_status=MatchStatus.HUMAN_ACCEPTED).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )

    per_day = dict(decisions_per_day(days=5, today=today))

    assert list(per_day) == [today - dt.timedelta(days=n) for n in range(4, -1, -1)]
    assert per_day[today - dt.timedelta(days=2)] == 3
    assert sum(per_day.values()) == 3


def test_staff_without_review_permission_sees_the_apps_only(client, staff_without_review, queue):
    client.force_login(staff_without_review)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert 'id="review-dashboard"' not in response.content.decode()


def test_superuser_sees_the_dashboard(admin_client_logged_in, queue):
    page = admin_client_logged_in.get(reverse("admin:index")).content.decode()

    assert 'id="review-dashboard"' in page
    assert "Habanos reference data" in page
