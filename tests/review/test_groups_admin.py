"""The review console at scale: a product once in the queue, one decision for its group,
splits, "review this brand" and "brand not carried"; the admin's names and the dashboard."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from catalogue.models import AliasKind, CigarAlias
from customs.labels import parse_label
from matching.models import CigarCustomsMatch, MatchEvent, MatchStatus, ReviewGroupSplit
from tests.factories import (
    CigarCustomsMatchFactory,
    CustomsPriceEntryFactory,
    CustomsPublicationFactory,
)
from tests.review.conftest import build_queue

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:matching_cigarcustomsmatch_changelist"
NOVEMBER_LABELS = (
    "Cohiba Siglo VI, en 25",
    "Cohiba Siglo VI (tube), en 3",
    "Cohiba Siglo VI Tubos, en 10",
)


@pytest.fixture
def grouped(db):
    """Three pending products of June; Siglo VI again in November, in three presentations."""
    queue = build_queue(entries=3)
    siglo_vi = queue["cigars"][0]
    november = CustomsPublicationFactory(
        source=queue["publication"].source, effective_date=dt.date(2026, 12, 1)
    )
    later = []
    for row, label in enumerate(NOVEMBER_LABELS):
        parsed = parse_label(label)
        entry = CustomsPriceEntryFactory(
            publication=november,
            row_number=row,
            raw_label=label,
            normalised_label=parsed.normalised,
            pack_size=parsed.pack_size,
            pack_price=Decimal(500 + row),
        )
        CigarCustomsMatchFactory(cigar=siglo_vi, price_entry=entry, rank=1, score=Decimal("0.700"))
        later.append(entry)
    return {**queue, "group": [queue["entries"][0], *later], "siglo_vi": siglo_vi}


def test_the_queue_shows_each_product_once_with_items_and_lines(reviewer_client, grouped):
    response = reviewer_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    page = response.content.decode()
    rows = list(response.context["cl"].result_list)
    assert len(rows) == 3
    assert sum(row.price_entry_id in {e.pk for e in grouped["group"]} for row in rows) == 1
    assert 'id="queue-counts"' in page
    counts = response.context["queue_counts"]
    assert (counts.items, counts.lines) == (3, 6)
    assert "appears in 2 editions, 3 presentations" in page
    # What is left per source, items and lines, beside the source filter.
    assert f"{grouped['publication'].source.slug} (3 · 6)" in page


def test_one_decision_on_the_review_page_settles_the_group(reviewer_client, reviewer, grouped):
    entry = grouped["group"][1]
    page = reviewer_client.get(reverse("admin:matching_review", args=[entry.pk]))
    assert "appears in 2 editions, 3 presentations" in page.content.decode()
    best = page.context["best"]

    response = reviewer_client.post(
        reverse("admin:matching_review", args=[entry.pk]),
        {
            "action": "accept",
            "match_id": best.pk,
            "expected_updated_at": best.updated_at.isoformat(),
        },
    )
    assert response.status_code == 302
    settled = CigarCustomsMatch.objects.filter(
        price_entry__in=grouped["group"], status=MatchStatus.HUMAN_ACCEPTED, decided_by=reviewer
    )
    assert {m.price_entry_id for m in settled} == {e.pk for e in grouped["group"]}
    assert MatchEvent.objects.filter(
        match__in=settled, to_status=MatchStatus.HUMAN_ACCEPTED
    ).count() == len(grouped["group"])
    # The other products still wait.
    assert CigarCustomsMatch.objects.filter(status=MatchStatus.PENDING_REVIEW, rank=1).count() == 2


def test_this_line_only_leaves_the_rest_of_the_group(reviewer_client, grouped):
    entry = grouped["group"][1]
    best = reviewer_client.get(reverse("admin:matching_review", args=[entry.pk])).context["best"]
    reviewer_client.post(
        reverse("admin:matching_review", args=[entry.pk]),
        {
            "action": "not_in_catalogue",
            "match_id": best.pk,
            "expected_updated_at": best.updated_at.isoformat(),
            "only_this_line": "1",
        },
    )
    waiting = CigarCustomsMatch.objects.filter(
        price_entry__in=grouped["group"], status=MatchStatus.PENDING_REVIEW
    )
    assert waiting.count() == len(grouped["group"]) - 1


def test_splitting_a_label_off_makes_it_its_own_item(reviewer_client, reviewer, grouped):
    tubos = grouped["group"][-1]
    reviewer_client.get(reverse(CHANGELIST))  # computes the groups
    response = reviewer_client.post(
        reverse("admin:matching_review_split", args=[tubos.pk]),
        {"label": [tubos.normalised_label]},
    )
    assert response.status_code == 302
    assert ReviewGroupSplit.objects.get().created_by == reviewer
    rows = list(reviewer_client.get(reverse(CHANGELIST)).context["cl"].result_list)
    assert len(rows) == 4


def test_review_this_brand_and_brand_not_carried(reviewer_client, grouped):
    entry = grouped["entries"][1]
    page = reviewer_client.get(reverse("admin:matching_review", args=[entry.pk]))
    brand_key = page.context["group_brand"].brand_key
    filtered = reviewer_client.get(reverse(CHANGELIST), {"label_brand": brand_key})
    assert filtered.context["queue_counts"].lines == 6

    response = reviewer_client.post(
        reverse("admin:matching_review_brand_not_carried", args=[entry.pk])
    )
    assert response.status_code == 302
    assert not CigarCustomsMatch.objects.filter(status=MatchStatus.PENDING_REVIEW).exists()
    labels = {e.normalised_label for e in [*grouped["entries"], *grouped["group"]]}
    assert (
        set(
            CigarAlias.objects.filter(kind=AliasKind.NOT_IN_CATALOGUE).values_list(
                "normalised_label", flat=True
            )
        )
        == labels
    )


def test_admin_names_are_proper_plurals():
    plurals = {
        model._meta.label: str(model._meta.verbose_name_plural)
        for model in apps.get_models()
        if model._meta.app_label in ("catalogue", "customs", "matching", "media", "accounts")
    }
    assert plurals["catalogue.CigarAlias"] == "cigar aliases"
    assert plurals["customs.CustomsPriceEntry"] == "customs price entries"
    # What Django's "add an s" makes of words that take -es or -ies.
    naive = re.compile(r"(?:ss|[^aeiou]ys|chs|shs|xs)$")
    wrong = {label: plural for label, plural in plurals.items() if naive.search(plural)}
    assert wrong == {}


def test_a_long_failed_run_message_stays_in_its_panel(admin_client):
    from matching.models import MatchingRun

    message = "ValueError: " + "x" * 3000
    MatchingRun.objects.create(
        scope="publication 1", started_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC), error=message
    )
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert 'class="failed-message"' in page
    assert f'title="{message}"' in page
    css = apps.get_app_config("matching").path + "/../static/review/review.css"
    with open(css, encoding="utf-8") as handle:
        rules = handle.read()
    assert ".dashboard > .module { min-width: 0;" in rules
    assert "#dashboard-failed-runs { table-layout: fixed; }" in rules
    assert "overflow-wrap: anywhere" in rules


def test_create_cigars_from_the_selected_entries(reviewer_client, reviewer, grouped):
    from catalogue.models import Cigar

    new_label = "Cohiba Siglo Talisman, en 10"
    entry = CustomsPriceEntryFactory(
        publication=grouped["publication"],
        row_number=1 + max(e.row_number for e in grouped["entries"]),
        raw_label=new_label,
        normalised_label=parse_label(new_label).normalised,
        pack_size=10,
    )
    proposal = CigarCustomsMatchFactory(
        cigar=grouped["siglo_vi"], price_entry=entry, rank=1, score=Decimal("0.650")
    )
    siglo_vi_row = CigarCustomsMatch.objects.get(price_entry=grouped["group"][0], rank=1)
    response = reviewer_client.post(
        reverse(CHANGELIST),
        {"action": "create_cigars", "_selected_action": [proposal.pk, siglo_vi_row.pk]},
    )
    assert response.status_code == 302
    page = reviewer_client.get(response["Location"])
    assert page.status_code == 200
    forms = {
        row.brand_name + " " + row.vitola_name: (form, row) for form, row in page.context["rows"]
    }
    assert len(forms) == 2
    assert forms["Cohiba Siglo VI"][1].existing == grouped["siglo_vi"]

    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2"}
    for index, (_form, row) in enumerate(page.context["rows"]):
        for name, value in row.as_initial().items():
            if name == "create":
                # Tick both: the duplicate is refused all the same.
                data[f"form-{index}-create"] = "on"
            elif value is not None:
                data[f"form-{index}-{name}"] = str(value)
    created = reviewer_client.post(response["Location"], data, follow=True)
    assert created.status_code == 200
    text = created.content.decode()
    assert "already in the catalogue: Cohiba Siglo VI" in text
    new = Cigar.objects.get(needs_review=True)
    assert "Talisman" in new.full_name
    accepted = CigarCustomsMatch.objects.get(price_entry=entry, status=MatchStatus.HUMAN_ACCEPTED)
    assert (accepted.cigar, accepted.decided_by) == (new, reviewer)


def test_work_in_progress_left_per_source_and_brand_decisions_per_reviewer_and_pace(
    reviewer_client, reviewer, grouped, admin_client
):
    from matching.models import ReviewTiming

    entry = grouped["entries"][1]
    best = reviewer_client.get(reverse("admin:matching_review", args=[entry.pk])).context["best"]
    reviewer_client.post(
        reverse("admin:matching_review", args=[entry.pk]),
        {
            "action": "accept",
            "match_id": best.pk,
            "expected_updated_at": best.updated_at.isoformat(),
            "think_ms": "4200",
        },
    )
    timing = ReviewTiming.objects.get()
    assert (timing.actor, timing.seconds, timing.lines, timing.action) == (
        reviewer,
        4.2,
        1,
        "accept",
    )
    # Nonsense from the page is ignored; the decision stands.
    entry = grouped["entries"][2]
    best = reviewer_client.get(reverse("admin:matching_review", args=[entry.pk])).context["best"]
    reviewer_client.post(
        reverse("admin:matching_review", args=[entry.pk]),
        {"action": "reject", "match_id": best.pk, "think_ms": "-5"},
    )
    assert ReviewTiming.objects.count() == 1

    page = reviewer_client.get(reverse("admin:index"))
    text = page.content.decode()
    assert 'id="dashboard-progress"' in text
    assert "Median seconds per decision: <strong>4.2</strong>" in text
    assert reviewer.email in text  # decisions per reviewer per day
    # What is left: one product (Siglo VI, 4 lines), and the brand that names it.
    assert "1 item (products) for 4 lines" in text
    assert "Cohiba" in text


def test_the_brand_admin_shows_pending_labels_and_marks_a_brand_not_carried(admin_client, grouped):
    from catalogue.models import Brand

    brand = Brand.objects.get(name="Cohiba")
    admin_client.get(reverse(CHANGELIST))  # the queue keys the pending entries
    page = admin_client.get(reverse("admin:catalogue_brand_changelist")).content.decode()
    assert f"?label_brand=b{brand.pk}" in page
    assert "6 line(s): review this brand" in page

    admin_client.post(
        reverse("admin:catalogue_brand_changelist"),
        {"action": "brands_not_carried", "_selected_action": [brand.pk]},
    )
    assert not CigarCustomsMatch.objects.filter(status=MatchStatus.PENDING_REVIEW).exists()
    assert CigarAlias.objects.filter(kind=AliasKind.NOT_IN_CATALOGUE).count() == len(
        {e.normalised_label for e in [*grouped["entries"], *grouped["group"]]}
    )
