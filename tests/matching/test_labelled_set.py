"""The benchmark's labelled set, and the matcher's quality on a slice of it (no timings)."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.labelled_set import build, name_key, read_catalogue, second_edition
from catalogue.models import Cigar
from matching.models import CigarCustomsMatch, MatchStatus
from matching.services import publication_match
from tests.matching.conftest import add_entries

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def cases():
    return build(read_catalogue(), seed=7)


def test_about_four_labels_in_five_name_cigars_the_catalogue_lacks(cases):
    missing = sum(1 for c in cases if c.expected is None)
    assert 0.75 <= missing / len(cases) <= 0.85
    kinds = Counter(c.kind for c in cases)
    assert {"edition", "extra_word", "other_number", "other_vitola", "other_brand"} <= set(kinds)
    catalogue_keys = {name_key(c.full_name) for c in read_catalogue()}
    # A label that claims "not in the catalogue" must not be a spelling of a catalogue name.
    for case in cases:
        if case.expected is None:
            name = case.label.split(",")[0].split(" en ")[0]
            assert name_key(name) not in catalogue_keys, case


def test_labels_carry_the_suppliers_quirks(cases):
    labels = " | ".join(c.label for c in cases)
    for quirk in ("N° ", "n°", "No. ", "#", "(tube)", "ciagres", "boîtes de", "RyJ", "H.Upmann"):
        assert quirk in labels, quirk
    assert any(c.label.split(",")[0].isupper() for c in cases)
    assert any(c.kind == "typo" for c in cases)


def test_second_edition_keeps_most_labels_and_adds_a_few(cases):
    second = second_edition(cases)
    assert 0.95 * len(cases) < len(second) < 1.05 * len(cases)


def test_no_label_absent_from_the_catalogue_is_auto_accepted(habanos, publication, cases):
    sample = cases[:300]
    entries = add_entries(publication, [c.label for c in sample])
    publication_match(publication=publication)
    ids = dict(Cigar.objects.values_list("external_id", "pk"))
    best = {
        m.price_entry_id: m
        for m in CigarCustomsMatch.objects.filter(price_entry__publication=publication, rank=1)
    }
    accepted = right = 0
    for entry, case in zip(entries, sample, strict=True):
        match = best.get(entry.pk)
        if match is None or match.status != MatchStatus.AUTO_ACCEPTED:
            continue
        accepted += 1
        assert case.expected is not None, (case.label, match.cigar.full_name)
        right += match.cigar_id == ids[case.expected]
    assert accepted > 40
    assert right == accepted
    review = sum(1 for m in best.values() if m.status == MatchStatus.PENDING_REVIEW)
    assert review / len(sample) <= 0.15
