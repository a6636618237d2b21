"""The queue changelist: default filter, filters, order, bulk decisions and permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from matching.admin.params import queue_filters, queue_querystring
from matching.models import CigarCustomsMatch, MatchEvent, MatchStatus
from tests.factories import (
    CigarCustomsMatchFactory,
    CustomsPriceEntryFactory,
    CustomsPublicationFactory,
    CustomsSourceFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:matching_cigarcustomsmatch_changelist"


def _rows(response) -> list[CigarCustomsMatch]:
    return list(response.context["cl"].result_list)


def test_queue_lists_pending_best_candidates_with_their_columns(reviewer_client, queue):
    accepted = CigarCustomsMatchFactory(status=MatchStatus.AUTO_ACCEPTED)

    response = reviewer_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    rows = _rows(response)
    assert {m.pk for m in rows} == {m.pk for m in queue["best"]}
    page = response.content.decode()
    assert "Cohiba Siglo VI, en 25" in page
    assert "Cohiba Siglo VI</a>" in page
    assert "1,000.00 EUR" in page
    assert 'class="sig-bars"' in page
    assert 'class="score" style="color:#ef6c00"' in page  # in the review band: orange
    review_url = reverse("admin:matching_review", args=[queue["entries"][0].pk])
    assert f'href="{review_url}"' in page
    assert accepted.price_entry.raw_label not in [m.price_entry.raw_label for m in rows]


def test_status_filter_all_shows_every_best_candidate(reviewer_client, queue):
    accepted = CigarCustomsMatchFactory(status=MatchStatus.AUTO_ACCEPTED)

    response = reviewer_client.get(reverse(CHANGELIST), {"status": "all"})

    assert accepted.pk in {m.pk for m in _rows(response)}
    assert len(_rows(response)) == 4


def test_queue_orders_by_uncertainty_then_pack_price(reviewer_client, queue):
    # The middle of the review band (0.55 / 0.80) is 0.675: 0.68 is more uncertain than 0.70.
    uncertain = queue["best"][0]
    CigarCustomsMatch.objects.filter(pk=uncertain.pk).update(score=Decimal("0.680"))

    rows = _rows(reviewer_client.get(reverse(CHANGELIST)))

    assert rows[0].pk == uncertain.pk
    # Equal scores: the dearest pack first.
    prices = [m.price_entry.pack_price for m in rows[1:]]
    assert prices == sorted(prices, reverse=True)


def test_filters_narrow_the_queue(reviewer_client, queue):
    other_source = CustomsSourceFactory(slug="ch-ofdf", name="OFDF", country="CH", currency="CHF")
    swiss = CigarCustomsMatchFactory(
        price_entry__publication__source=other_source,
        price_entry__change_kind="new",
        score=Decimal("0.950"),
    )

    by_source = _rows(reviewer_client.get(reverse(CHANGELIST), {"source": "ch-ofdf"}))
    by_band = _rows(reviewer_client.get(reverse(CHANGELIST), {"band": "90+"}))
    by_kind = _rows(reviewer_client.get(reverse(CHANGELIST), {"change_kind": "new"}))
    by_publication = _rows(
        reviewer_client.get(reverse(CHANGELIST), {"publication": queue["publication"].pk})
    )
    by_brand = _rows(
        reviewer_client.get(reverse(CHANGELIST), {"brand": queue["cigars"][0].line.brand_id})
    )

    assert [m.pk for m in by_source] == [swiss.pk]
    assert [m.pk for m in by_band] == [swiss.pk]
    assert [m.pk for m in by_kind] == [swiss.pk]
    assert {m.pk for m in by_publication} == {m.pk for m in queue["best"]}
    assert {m.pk for m in by_brand} == {m.pk for m in queue["best"]}


def test_queue_parameters_translate_to_selector_arguments():
    filters = queue_filters(
        {
            "status": "all",
            "source": "fr-douane-opendata",
            "publication": "7",
            "band": "60-70",
            "brand": "3",
            "change_kind": "changed",
        }
    )

    assert filters["status"] == list(MatchStatus.values)
    assert filters["source_slug"] == "fr-douane-opendata"
    assert filters["publication_id"] == 7
    assert (filters["score_min"], filters["score_max"]) == (Decimal("0.600"), Decimal("0.699"))
    assert filters["brand"] == "3"
    assert filters["change_kind"] == "changed"
    # Junk falls back to the default queue instead of failing.
    assert queue_filters({"status": "bogus", "publication": "x", "band": "?"}) == {
        "status": MatchStatus.PENDING_REVIEW
    }
    assert queue_querystring({"source": "ch-ofdf", "o": "2", "status": ""}) == "source=ch-ofdf"


def _bulk(client, action: str, matches):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [m.pk for m in matches], "index": 0},
        follow=True,
    )


def test_bulk_accept_goes_through_the_service(reviewer_client, reviewer, queue):
    chosen = queue["best"][:2]

    response = _bulk(reviewer_client, "accept_selected", chosen)

    assert response.status_code == 200
    assert "2 match(es) accepted." in response.content.decode()
    for match in chosen:
        match.refresh_from_db()
        assert match.status == MatchStatus.HUMAN_ACCEPTED
        assert match.decided_by == reviewer
        event = MatchEvent.objects.filter(match=match, to_status=MatchStatus.HUMAN_ACCEPTED).get()
        assert event.actor == reviewer
        assert event.from_status == MatchStatus.PENDING_REVIEW
    untouched = queue["best"][2]
    untouched.refresh_from_db()
    assert untouched.status == MatchStatus.PENDING_REVIEW


def test_bulk_reject_and_conflicts_are_counted_not_overwritten(
    reviewer_client, reviewer, queue, django_user_model
):
    from matching.services.decisions import match_accept

    other = django_user_model.objects.create_user(email="other@example.com", password="x" * 12)
    first, second, _ = queue["best"]
    match_accept(match=first, actor=other)

    response = _bulk(reviewer_client, "reject_selected", [first, second])

    page = response.content.decode()
    assert "1 match(es) rejected." in page
    assert "1 match(es) left alone: already decided by another reviewer." in page
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.decided_by) == (MatchStatus.HUMAN_ACCEPTED, other)
    assert second.status == MatchStatus.HUMAN_REJECTED
    assert MatchEvent.objects.filter(match=second, actor=reviewer).count() == 1


def test_staff_without_review_permission_sees_no_queue_and_cannot_decide(
    client, staff_without_review, queue
):
    client.force_login(staff_without_review)

    assert client.get(reverse(CHANGELIST)).status_code == 403
    response = _bulk(client, "accept_selected", queue["best"])

    assert response.status_code == 403
    assert not MatchEvent.objects.exists()
    assert set(CigarCustomsMatch.objects.filter(rank=1).values_list("status", flat=True)) == {
        MatchStatus.PENDING_REVIEW
    }


def test_queue_rows_are_read_only(reviewer_client, queue):
    match = queue["best"][0]
    url = reverse("admin:matching_cigarcustomsmatch_change", args=[match.pk])

    page = reviewer_client.get(url)
    posted = reviewer_client.post(url, {"status": MatchStatus.HUMAN_ACCEPTED})

    assert page.status_code == 200
    assert posted.status_code == 403
    match.refresh_from_db()
    assert match.status == MatchStatus.PENDING_REVIEW


def test_audit_trail_pages_answer(reviewer_client, queue, reviewer):
    from matching.services.decisions import match_reject

    match_reject(match=queue["best"][0], actor=reviewer, note="wrong size")
    event = MatchEvent.objects.get()

    listing = reviewer_client.get(reverse("admin:matching_matchevent_changelist"))
    detail = reviewer_client.get(reverse("admin:matching_matchevent_change", args=[event.pk]))

    assert listing.status_code == 200
    assert "wrong size" in listing.content.decode()
    assert detail.status_code == 200


def test_start_button_carries_the_filters(reviewer_client, queue):
    publication = CustomsPublicationFactory(effective_date=dt.date(2026, 12, 1))
    CustomsPriceEntryFactory(publication=publication)

    page = reviewer_client.get(reverse(CHANGELIST), {"source": "fr-douane-opendata"})

    assert f"{reverse('admin:matching_review_next')}?source=fr-douane-opendata" in (
        page.content.decode()
    )
