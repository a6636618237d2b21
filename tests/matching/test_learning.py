"""Learning from decisions beyond the exact label: vocabulary, brand spellings, uniqueness."""

from __future__ import annotations

import datetime as dt
from itertools import count

import pytest

from matching.models import (
    CigarCustomsMatch,
    LearnedVocabulary,
    MatchStatus,
    VocabularyEvidence,
    VocabularyKind,
    VocabularyStatus,
)
from matching.services import (
    entry_mark_not_in_catalogue,
    match_accept,
    match_reject,
    publication_match,
)
from matching.services.learning import vocabulary_restore, vocabulary_revert
from tests.matching.conftest import add_entries, new_publication
from tests.matching.test_evidence import make_catalogue

pytestmark = pytest.mark.django_db

# One effective date per edition, never twice (publications of a source are dated).
EDITIONS = (dt.date(2026, 1, 1) + dt.timedelta(days=7 * week) for week in count())


def best(entry) -> CigarCustomsMatch:
    return CigarCustomsMatch.objects.get(price_entry=entry, rank=1)


def edition(douane, labels):
    publication = new_publication(douane, next(EDITIONS))
    entries = add_entries(publication, labels)
    publication_match(publication=publication)
    return [best(entry) for entry in entries]


@pytest.fixture
def catalogue(db):
    return make_catalogue(
        {
            "Macanudo": ["Hyde Park", "Hampton Court", "Portofino", "Prince Philip"],
            "Hoyo de Monterrey": ["Epicure No 2", "Double Corona", "Le Hoyo du Roi"],
        }
    )


def test_an_unexplained_word_waits_for_review_with_the_only_fitting_cigar(catalogue, douane):
    (match,) = edition(douane, ["Macanudo Cafe Hyde Park, en 25 cigares"])
    assert match.cigar_id == catalogue["Macanudo Hyde Park"]
    assert match.status == MatchStatus.PENDING_REVIEW
    assert match.signals["unique"] is True
    assert match.signals["evidence"] == {"conflicts": [], "unexplained": ["+cafe"], "learned": []}


def test_learned_vocabulary_changes_a_later_edition_and_reverting_it_undoes_that(
    catalogue, douane, operator
):
    first = edition(
        douane, ["Macanudo Cafe Hyde Park, en 25 cigares", "Macanudo Cafe Hampton Court, en 25"]
    )
    assert [m.status for m in first] == [MatchStatus.PENDING_REVIEW] * 2
    for match in first:
        match_accept(match=match, actor=operator)

    term = LearnedVocabulary.objects.get(term="cafe")
    assert term.kind == VocabularyKind.LABEL_WORD
    assert (term.confirmations, term.rejections, term.status) == (2, 0, VocabularyStatus.LEARNED)
    # Attributed: each decision that taught it, with who decided.
    assert VocabularyEvidence.objects.filter(vocabulary=term, actor=operator).count() == 2

    # A new label of the same brand, never reviewed: the learned word no longer costs.
    (later,) = edition(douane, ["Macanudo Cafe Portofino, en 25 cigares"])
    assert later.cigar_id == catalogue["Macanudo Portofino"]
    assert later.status == MatchStatus.AUTO_ACCEPTED
    assert later.signals["evidence"]["learned"] == ["+cafe"]

    vocabulary_revert(vocabulary=term, actor=operator)
    term.refresh_from_db()
    assert term.status == VocabularyStatus.REVERTED
    assert term.reverted_by == operator
    (after_revert,) = edition(douane, ["Macanudo Cafe Prince Philip, en 25 cigares"])
    assert after_revert.status == MatchStatus.PENDING_REVIEW

    vocabulary_restore(vocabulary=term, actor=operator)
    term.refresh_from_db()
    assert term.status == VocabularyStatus.LEARNED


def test_rejections_teach_that_a_word_separates(catalogue, douane, operator):
    matches = edition(
        douane, ["Macanudo Inspirado Hyde Park, en 25", "Macanudo Inspirado Portofino, en 25"]
    )
    match_reject(match=matches[0], actor=operator)
    entry_mark_not_in_catalogue(entry=matches[1].price_entry, actor=operator)
    term = LearnedVocabulary.objects.get(term="inspirado")
    assert (term.confirmations, term.rejections) == (0, 2)
    assert term.status == VocabularyStatus.SEPARATING

    (later,) = edition(douane, ["Macanudo Inspirado Hampton Court, en 25 cigares"])
    assert later.signals["evidence"]["conflicts"] == ["+inspirado"]
    assert later.status != MatchStatus.AUTO_ACCEPTED


def test_a_rejection_explained_by_a_conflict_teaches_nothing(catalogue, douane, operator):
    # Maduro separates Macanudo's cigars once the brand has a maduro record (without
    # one it is only unexplained: see test_evidence).
    make_catalogue({"Macanudo": ["Portofino Maduro"]})
    (match,) = edition(douane, ["Macanudo Hyde Park Maduro, en 25 cigares"])
    assert match.signals["evidence"]["conflicts"] == ["+maduro"]
    match_reject(match=match, actor=operator)
    assert not LearnedVocabulary.objects.exists()


def test_a_learned_match_must_be_unique_to_be_accepted(catalogue, douane, operator):
    for match in edition(
        douane, ["Macanudo Cafe Hyde Park, en 25 cigares", "Macanudo Cafe Hampton Court, en 25"]
    ):
        match_accept(match=match, actor=operator)
    # Another record fits the label as well: a duplicate, written with a word the label
    # lacks and that nothing explains.
    make_catalogue({"Macanudo": ["Cafe Portofino Connecticut"]})
    (later,) = edition(douane, ["Macanudo Cafe Portofino, en 25 cigares"])
    assert later.signals["unique"] is False
    assert later.status == MatchStatus.PENDING_REVIEW


def test_a_brand_spelling_confirmed_by_decisions_becomes_a_brand_alias(catalogue, douane, operator):
    first = edition(douane, ["Hoyo Epicure N°2, en 25 cigares", "Hoyo Le Hoyo du Roi, en 25"])
    for match in first:
        # The first word alone only guesses the brand: review, never automatic.
        assert match.status == MatchStatus.PENDING_REVIEW
        match_accept(match=match, actor=operator)
    spelling = LearnedVocabulary.objects.get(kind=VocabularyKind.BRAND_SPELLING)
    assert (spelling.term, spelling.status) == ("hoyo", VocabularyStatus.LEARNED)
    assert spelling.brand.name == "Hoyo de Monterrey"

    (later,) = edition(douane, ["Hoyo Double Corona, en 25 cigares"])
    assert later.cigar_id == catalogue["Hoyo de Monterrey Double Corona"]
    assert later.status == MatchStatus.AUTO_ACCEPTED

    vocabulary_revert(vocabulary=spelling, actor=operator)
    (again,) = edition(douane, ["HOYO DOUBLE CORONA (boite de 10), en 10 cigares"])
    assert again.status == MatchStatus.PENDING_REVIEW


def test_a_presentation_word_learned_under_two_brands_holds_under_every_brand(
    catalogue, douane, operator
):
    make_catalogue({"Trinidad": ["Reyes"], "Punch": ["Punch Punch"]})
    first = edition(
        douane,
        [
            "Macanudo Hyde Park Petaca, en 5 cigares",
            "Macanudo Portofino Petaca, en 5 cigares",
            "Hoyo de Monterrey Double Corona Petaca, en 5",
            "Hoyo de Monterrey Epicure N°2 Petaca, en 5",
        ],
    )
    for match in first:
        assert match.signals["evidence"]["unexplained"] == ["+petaca"]
        match_accept(match=match, actor=operator)
    (elsewhere,) = edition(douane, ["Trinidad Reyes Petaca, en 5 cigares"])
    assert elsewhere.signals["evidence"]["learned"] == ["+petaca"]
    assert elsewhere.status == MatchStatus.AUTO_ACCEPTED
