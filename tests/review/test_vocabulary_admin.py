"""The learned vocabulary in the admin: visible, attributed, reversible, never deleted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import LearnedVocabulary, VocabularyEvidence, VocabularyKind, VocabularyStatus
from tests.factories import BrandFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def term(db):
    vocabulary = LearnedVocabulary.objects.create(
        brand=BrandFactory(name="Macanudo"),
        kind=VocabularyKind.LABEL_WORD,
        term="cafe",
        confirmations=2,
        status=VocabularyStatus.LEARNED,
    )
    VocabularyEvidence.objects.create(
        vocabulary=vocabulary,
        confirms=True,
        label="Macanudo Cafe Hyde Park, en 25 cigares",
        cigar_name="Macanudo Hyde Park",
    )
    return vocabulary


def test_reviewers_see_terms_with_the_decisions_that_taught_them(reviewer_client, term):
    changelist = reviewer_client.get(reverse("admin:matching_learnedvocabulary_changelist"))
    assert changelist.status_code == 200
    assert "cafe" in changelist.content.decode()
    page = reviewer_client.get(
        reverse("admin:matching_learnedvocabulary_change", args=[term.pk])
    ).content.decode()
    assert "Macanudo Cafe Hyde Park, en 25 cigares" in page
    assert "decisions that taught it" in page.lower()


def test_revert_and_restore_are_attributed_and_nothing_is_deleted(reviewer_client, reviewer, term):
    url = reverse("admin:matching_learnedvocabulary_changelist")
    reviewer_client.post(url, {"action": "revert_terms", "_selected_action": [term.pk]})
    term.refresh_from_db()
    assert term.status == VocabularyStatus.REVERTED
    assert term.reverted_by == reviewer

    reviewer_client.post(url, {"action": "restore_terms", "_selected_action": [term.pk]})
    term.refresh_from_db()
    assert term.status == VocabularyStatus.LEARNED
    assert term.reverted_by is None

    response = reviewer_client.post(
        url, {"action": "delete_selected", "_selected_action": [term.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert LearnedVocabulary.objects.filter(pk=term.pk).exists()
    assert VocabularyEvidence.objects.filter(vocabulary=term).count() == 1
