"""The publication admin completed by the console: counts, diff, retry and re-run actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from customs.models import PublicationStatus
from matching.admin.publications import REMATCH_TASK
from matching.models import MatchingRun, MatchStatus
from tests.factories import (
    CigarCustomsMatchFactory,
    CustomsPriceEntryFactory,
    CustomsPublicationFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:customs_customspublication_changelist"


@pytest.fixture
def editions(db):
    now = timezone.now()
    previous = CustomsPublicationFactory(
        effective_date=dt.date(2026, 5, 1), status=PublicationStatus.INGESTED, ingested_at=now
    )
    current = CustomsPublicationFactory(
        effective_date=dt.date(2026, 11, 1),
        status=PublicationStatus.INGESTED,
        fetched_at=now,
        parsed_at=now,
        ingested_at=now,
    )
    rising = CustomsPriceEntryFactory(
        publication=current,
        raw_label="Cohiba Siglo VI, en 25",
        change_kind="changed",
        pack_price=Decimal("1100.00"),
        old_pack_price=Decimal("1000.00"),
    )
    CustomsPriceEntryFactory(publication=current, change_kind="new")
    CigarCustomsMatchFactory(price_entry=rising, status=MatchStatus.PENDING_REVIEW)
    CigarCustomsMatchFactory(
        price_entry=CustomsPriceEntryFactory(publication=current, change_kind="unchanged"),
        status=MatchStatus.AUTO_ACCEPTED,
    )
    return {"previous": previous, "current": current}


def test_publication_list_counts_pending_and_accepted(reviewer_client, editions):
    response = reviewer_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    rows = {p.pk: p for p in response.context["cl"].result_list}
    current = rows[editions["current"].pk]
    assert (current.pending_count, current.accepted_count) == (1, 1)
    assert (
        rows[editions["previous"].pk].pending_count,
        rows[editions["previous"].pk].accepted_count,
    ) == (0, 0)
    queue = reverse("admin:matching_cigarcustomsmatch_changelist")
    assert f"{queue}?publication={editions['current'].pk}" in response.content.decode()


def test_publication_page_shows_stages_counts_and_diff(reviewer_client, editions):
    current = editions["current"]

    response = reviewer_client.get(
        reverse("admin:customs_customspublication_change", args=[current.pk])
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "<th>ingested</th><td>✔</td>" in page
    assert "<th>Entries</th><td>3</td>" in page
    assert (
        f'?publication={current.pk}&amp;status=PENDING_REVIEW">Pending review</a></th><td>1' in page
    )
    assert "<th>Changed</th><td>1</td>" in page
    assert "<th>New</th><td>1</td>" in page
    assert "Previous edition:" in page
    assert str(editions["previous"].effective_date.year) in page
    assert "+10.0%" in page


def test_first_edition_has_nothing_to_compare(reviewer_client, editions):
    page = reviewer_client.get(
        reverse("admin:customs_customspublication_change", args=[editions["previous"].pk])
    ).content.decode()

    assert "First edition of this source" in page


def _act(client, action: str, publications):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [p.pk for p in publications], "index": 0},
        follow=True,
    )


def test_rerun_matching_queues_a_task_per_ingested_publication(
    reviewer_client, editions, django_capture_on_commit_callbacks
):
    failed = CustomsPublicationFactory(
        status=PublicationStatus.FAILED, failed_stage="fetch", error="HTTP 500"
    )
    decided = CigarCustomsMatchFactory(
        price_entry=CustomsPriceEntryFactory(publication=editions["current"]),
        status=MatchStatus.HUMAN_ACCEPTED,
    )

    # Tasks are queued after the commit and run inline in tests (Q_CLUSTER sync).
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _act(reviewer_client, "rerun_matching", [editions["current"], failed])

    assert "Matching queued for 1 publication(s); 1 not ingested, left alone." in (
        response.content.decode()
    )
    # One matching task; the price watch hears of the matched edition after it (its own
    # callbacks are counted in tests/watch).
    rematches = [c for c in callbacks if REMATCH_TASK in getattr(c, "args", ())]
    assert len(rematches) == 1
    run = MatchingRun.objects.get()
    assert run.scope == f"publication {editions['current'].pk}"
    assert run.trigger == "admin"
    decided.refresh_from_db()
    assert decided.status == MatchStatus.HUMAN_ACCEPTED  # a run never overwrites a human


def test_retry_failed_stage_leaves_healthy_publications_alone(reviewer_client, editions):
    response = _act(reviewer_client, "retry_failed_stage", [editions["current"]])

    assert "Retry queued for 0 publication(s); 1 not failed, left alone." in (
        response.content.decode()
    )
    editions["current"].refresh_from_db()
    assert editions["current"].status == PublicationStatus.INGESTED


def test_staff_without_review_permission_cannot_open_or_act(client, staff_without_review, editions):
    client.force_login(staff_without_review)

    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert _act(client, "rerun_matching", [editions["current"]]).status_code == 403
    assert not MatchingRun.objects.exists()
