"""Learning from every decision, beyond the exact label.

An accepted pair whose label and record differed by words nothing explained (a line
name the catalogue omits, an origin or wrapper word, a founding year) tells that the
brand's labels carry those words without naming another product: each such word gets a
confirmation for the brand. A rejected pair whose only differences were such words tells
the opposite: each gets a rejection (a pair rejected for a conflict teaches nothing about
its other words — the conflict explains the rejection). A brand the label spelled in a
way the catalogue does not know (its first word, an abbreviation) gets a confirmed
spelling when the pair is accepted.

``MATCHING_LEARN_CONFIRMATIONS`` decisions (2 by default) make a term learned, provided
confirmations outnumber rejections two to one; as many rejections, outnumbering the
confirmations, make it separating. An operator can revert any term (and restore it); the
matcher's index is rebuilt on the next run, since the vocabulary is part of its
signature. Every decision that counted is kept as ``VocabularyEvidence``.

Called by the decision services inside their transaction, so a decision and what it
taught commit together.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from matching.conf import learn_confirmations
from matching.models import (
    CigarCustomsMatch,
    LearnedVocabulary,
    VocabularyEvidence,
    VocabularyKind,
    VocabularyStatus,
)

_SIDE_KINDS = {"+": VocabularyKind.LABEL_WORD, "-": VocabularyKind.RECORD_WORD}


def status_from_counts(confirmations: int, rejections: int) -> str:
    needed = learn_confirmations()
    if rejections >= needed and rejections > confirmations:
        return VocabularyStatus.SEPARATING
    if confirmations >= needed and confirmations > 2 * rejections:
        return VocabularyStatus.LEARNED
    return VocabularyStatus.LEARNING


def _pair_evidence(row: CigarCustomsMatch) -> dict:
    """The evidence the reviewer saw (stored by the run), or recomputed for a pair the
    matcher never proposed."""
    stored = (row.signals or {}).get("evidence")
    if stored is not None:
        return stored
    from matching.selectors import pair_score

    return pair_score(entry=row.price_entry, cigar=row.cigar).evidence.as_dict()


def _brand_spelling(row: CigarCustomsMatch) -> str | None:
    """The label's brand spelling when the catalogue does not know it ("hoyo", "ryj")."""
    from matching.selectors import label_analysis

    label = label_analysis(entry=row.price_entry)
    if label.brand_id == row.cigar.line.brand_id and not label.brand_partial:
        return None
    if label.brand_id not in (None, row.cigar.line.brand_id) or len(label.tokens) < 2:
        return None  # the label names another catalogue brand: no spelling to learn
    return label.tokens[0]


def _count(
    *, brand_id: int, kind: str, term: str, confirms: bool, row: CigarCustomsMatch, actor
) -> LearnedVocabulary:
    vocabulary, _created = LearnedVocabulary.objects.get_or_create(
        brand_id=brand_id, kind=kind, term=term[:120]
    )
    field = "confirmations" if confirms else "rejections"
    LearnedVocabulary.objects.filter(pk=vocabulary.pk).update(
        **{field: F(field) + 1, "updated_at": timezone.now()}
    )
    vocabulary = LearnedVocabulary.objects.select_for_update().get(pk=vocabulary.pk)
    if vocabulary.status != VocabularyStatus.REVERTED:
        status = status_from_counts(vocabulary.confirmations, vocabulary.rejections)
        if status != vocabulary.status:
            vocabulary.status = status
            vocabulary.save(update_fields=["status", "updated_at"])
    VocabularyEvidence.objects.create(
        vocabulary=vocabulary,
        confirms=confirms,
        match=row,
        label=(row.price_entry.new_label or row.price_entry.raw_label)[:500],
        cigar_name=row.cigar.full_name[:300],
        actor=actor if getattr(actor, "pk", None) else None,
    )
    return vocabulary


def learn_from_decision(*, row: CigarCustomsMatch, accepted: bool, actor) -> list[str]:
    """Count what a human decision on ``row`` taught; returns the terms it counted."""
    evidence = _pair_evidence(row)
    if not accepted and evidence.get("conflicts"):
        return []
    brand_id = row.cigar.line.brand_id
    terms = [*evidence.get("unexplained", ()), *evidence.get("learned", ())]
    counted = []
    for signed in terms:
        kind = _SIDE_KINDS.get(signed[:1])
        if kind is None or len(signed) < 2:
            continue
        _count(
            brand_id=brand_id, kind=kind, term=signed[1:], confirms=accepted, row=row, actor=actor
        )
        counted.append(signed)
    if accepted:
        spelling = _brand_spelling(row)
        if spelling:
            _count(
                brand_id=brand_id,
                kind=VocabularyKind.BRAND_SPELLING,
                term=spelling,
                confirms=True,
                row=row,
                actor=actor,
            )
            counted.append(f"brand:{spelling}")
    return counted


@transaction.atomic
def vocabulary_revert(*, vocabulary: LearnedVocabulary, actor) -> LearnedVocabulary:
    """The matcher ignores the term from its next run on; its evidence stays."""
    vocabulary = LearnedVocabulary.objects.select_for_update().get(pk=vocabulary.pk)
    vocabulary.status = VocabularyStatus.REVERTED
    vocabulary.reverted_by = actor if getattr(actor, "pk", None) else None
    vocabulary.reverted_at = timezone.now()
    vocabulary.save(update_fields=["status", "reverted_by", "reverted_at", "updated_at"])
    return vocabulary


@transaction.atomic
def vocabulary_restore(*, vocabulary: LearnedVocabulary, actor) -> LearnedVocabulary:
    """Undo a revert: the status follows the decisions' counts again."""
    vocabulary = LearnedVocabulary.objects.select_for_update().get(pk=vocabulary.pk)
    vocabulary.status = status_from_counts(vocabulary.confirmations, vocabulary.rejections)
    vocabulary.reverted_by = None
    vocabulary.reverted_at = None
    vocabulary.save(update_fields=["status", "reverted_by", "reverted_at", "updated_at"])
    return vocabulary
