"""Conflict or missing: what the differences between a label and a candidate weigh.

Fellegi-Sunter separates three outcomes of a comparison: agreement, disagreement and a
*null* comparison (one side is silent). A terse catalogue record is silent about much
that suppliers type (a line or series name, an origin or wrapper word, a presentation
word, a maker credit, a founding year), and that silence is no evidence of another
product. So each word or code present on one side only is classified:

- **conflict**: both sides state a value in the same role and the values differ; or the
  word separates cigars of the candidate's brand (a sibling carries it and fits the
  label's codes); or it is variant vocabulary ("Maduro", "Petit"); or reviewers taught
  that it separates (rejections). Strong evidence of another product: a full penalty.
- **unexplained**: nothing in the catalogue says it separates products. A small cost,
  graded by how often the word separates products elsewhere in the catalogue
  (``CatalogueVocabulary.separation_of``); it keeps the pair out of AUTO_ACCEPTED
  until reviewers have confirmed the word for the brand.
- **learned**: reviewers accepted pairs that this word bridged often enough
  (``LearnedVocabulary``): it costs nothing.
- presentation words ("petaca", "tubos" outside parentheses) are unexplained at the base
  cost unless the brand's records tell presentations apart; maker credits ("by …") are
  left out of the name by ``matching.analysis``.

Numbers follow the same rule: a label number the record lacks conflicts only if the
record has a number in that role, or a sibling of the brand carries it; a record number
the label lacks conflicts only if the label states one in that role, or it is what tells
the record from a sibling with the same words ("Behike 52" beside "Behike 54").

Words on both sides that nothing explains are a substitution ("Entretiempos" for
"Mañanitas"): both state a vitola, and they differ — a conflict.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from matching.vocabulary import (
    PRESENTATION_WORDS,
    CatalogueVocabulary,
    code_role,
    codes_compatible,
)

LABEL_SIDE = "label"
RECORD_SIDE = "record"


@dataclass(frozen=True)
class LearnedLookup:
    """What reviewers taught, per (brand id, word, side): bridged or separating."""

    benign: frozenset[tuple[int, str, str]] = frozenset()
    separating: frozenset[tuple[int, str, str]] = frozenset()


@dataclass
class Evidence:
    conflict_words: list[str] = field(default_factory=list)
    unexplained_words: list[str] = field(default_factory=list)
    learned_words: list[str] = field(default_factory=list)
    conflict_codes: list[str] = field(default_factory=list)
    unexplained_codes: list[str] = field(default_factory=list)
    #: Graded cost of the unexplained words and codes (before the cap).
    unexplained_cost: float = 0.0

    @property
    def has_conflict(self) -> bool:
        return bool(self.conflict_words or self.conflict_codes)

    @property
    def unexplained_words_and_codes(self) -> list[str]:
        return [*self.unexplained_words, *self.unexplained_codes]

    @property
    def has_unexplained(self) -> bool:
        return bool(self.unexplained_words or self.unexplained_codes)

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "conflicts": [*self.conflict_words, *self.conflict_codes],
            "unexplained": [*self.unexplained_words, *self.unexplained_codes],
            "learned": list(self.learned_words),
        }


def _signed(word: str, side: str) -> str:
    return f"+{word}" if side == LABEL_SIDE else f"-{word}"


def weigh_words(
    *,
    label_only: list[str],
    cigar_only: list[str],
    label_codes: Counter,
    cigar_words: tuple[str, ...],
    brand_id: int | None,
    position: int,
    vocabulary: CatalogueVocabulary,
    learned: LearnedLookup,
    cigar_codes_at,
    unexplained_word_cost: float,
    conflict_word_cost: float,
    evidence: Evidence,
) -> None:
    """Classify the one-sided words of a pair into ``evidence``.

    ``cigar_codes_at(position)`` gives a sibling's codes (to tell whether a sibling that
    carries a label word also fits the label's numbers).
    """
    pending: list[tuple[str, str, float]] = []
    for side, words in ((LABEL_SIDE, label_only), (RECORD_SIDE, cigar_only)):
        for word in words:
            signed = _signed(word, side)
            if brand_id is not None:
                key = (brand_id, word, side)
                if key in learned.separating:
                    evidence.conflict_words.append(signed)
                    continue
                if key in learned.benign:
                    evidence.learned_words.append(signed)
                    continue
            if _separates_in_brand(
                word, side, cigar_words, label_codes, brand_id, position, vocabulary,
                cigar_codes_at,
            ):  # fmt: skip
                evidence.conflict_words.append(signed)
                continue
            if word in PRESENTATION_WORDS:
                # How it is packed: the same cigar, unless the brand's own records tell
                # presentations apart (checked above). Unexplained at the base cost.
                pending.append((signed, side, unexplained_word_cost))
                continue
            separation = vocabulary.separation_of(word)
            if separation >= 1.0:
                evidence.conflict_words.append(signed)
                continue
            cost = unexplained_word_cost + (conflict_word_cost - unexplained_word_cost) * separation
            pending.append((signed, side, cost))
    sides = {side for _signed_word, side, _cost in pending}
    if len(sides) == 2:
        # A word on each side that nothing explains: the two name different vitolas.
        evidence.conflict_words.extend(signed for signed, _side, _cost in pending)
        return
    for signed, _side, cost in pending:
        evidence.unexplained_words.append(signed)
        evidence.unexplained_cost += cost


def _separates_in_brand(
    word: str,
    side: str,
    cigar_words: tuple[str, ...],
    label_codes: Counter,
    brand_id: int | None,
    position: int,
    vocabulary: CatalogueVocabulary,
    cigar_codes_at,
) -> bool:
    if brand_id is None:
        return False
    if side == LABEL_SIDE:
        # A sibling carries the word and fits the label's numbers: the label may be it.
        return any(
            codes_compatible(label_codes, cigar_codes_at(p))
            for p in vocabulary.siblings_with_word(brand_id, word, position)
        )
    # The record's word the label omits: does a sibling exist without it (the plain
    # version of "Robusto Maduro")? Then the silent label may be that sibling.
    plain = tuple(w for w in cigar_words if w != word)
    return bool(vocabulary.siblings_with_words(brand_id, plain, position))


def weigh_codes(
    *,
    label_codes: Counter,
    cigar_codes: Counter,
    cigar_words: tuple[str, ...],
    brand_id: int | None,
    position: int,
    vocabulary: CatalogueVocabulary,
    unexplained_code_cost: float,
    evidence: Evidence,
) -> None:
    """Classify the codes present on one side only into ``evidence``."""
    label_extra = label_codes - cigar_codes
    cigar_extra = cigar_codes - label_codes
    label_roles = {code_role(c) for c in label_codes}
    cigar_roles = {code_role(c) for c in cigar_codes}
    for code in sorted(label_extra.elements()):
        role = code_role(code)
        if role in cigar_roles or (
            brand_id is not None and vocabulary.siblings_with_code(brand_id, code, position)
        ):
            evidence.conflict_codes.append(f"+{code}")
        else:
            evidence.unexplained_codes.append(f"+{code}")
            evidence.unexplained_cost += unexplained_code_cost
    for code in sorted(cigar_extra.elements()):
        role = code_role(code)
        siblings = (
            vocabulary.siblings_with_words(brand_id, cigar_words, position)
            if brand_id is not None
            else ()
        )
        if role in label_roles or siblings:
            evidence.conflict_codes.append(f"-{code}")
        else:
            evidence.unexplained_codes.append(f"-{code}")
            evidence.unexplained_cost += unexplained_code_cost


def weigh_strictly(
    label_only: list[str],
    cigar_only: list[str],
    label_codes: Counter,
    cigar_codes: Counter,
    evidence: Evidence,
) -> None:
    """Without a brand to weigh within, every one-sided word and code is a conflict."""
    for side, words in ((LABEL_SIDE, label_only), (RECORD_SIDE, cigar_only)):
        evidence.conflict_words.extend(_signed(word, side) for word in words)
    if label_codes != cigar_codes:
        evidence.conflict_codes.extend(
            f"+{c}" for c in sorted((label_codes - cigar_codes).elements())
        )
        evidence.conflict_codes.extend(
            f"-{c}" for c in sorted((cigar_codes - label_codes).elements())
        )
