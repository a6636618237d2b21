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
  cost unless the brand's records tell presentations apart; the words of a maker credit
  ("… by Drew Estate") are ignored, unless they are variant vocabulary ("by Oliva Maduro").

A sibling "carries" a label word only if it fits the label (everything its name says, the
label says): when every sibling carrying the word also names a vitola the label does not,
the word is the name of a line the candidate's record leaves out ("Maduro 5", "Linea
1935"), not a pointer to another product.

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
from itertools import combinations

from matching.vocabulary import (
    OMITTABLE_VARIANT_WORDS,
    PRESENTATION_WORDS,
    WRAPPER_WORDS,
    CatalogueVocabulary,
    code_role,
)

LABEL_SIDE = "label"
RECORD_SIDE = "record"


@dataclass(frozen=True)
class LearnedLookup:
    """What reviewers taught, per (brand id, word, side): bridged or separating."""

    benign: frozenset[tuple[int, str, str]] = frozenset()
    separating: frozenset[tuple[int, str, str]] = frozenset()
    #: Presentation words learned under enough brands to hold under every brand: how a
    #: cigar is packed does not depend on who rolls it.
    presentation: frozenset[str] = frozenset()


@dataclass
class Evidence:
    conflict_words: list[str] = field(default_factory=list)
    unexplained_words: list[str] = field(default_factory=list)
    learned_words: list[str] = field(default_factory=list)
    #: A maker credit's words: neither evidence nor compared.
    ignored_words: list[str] = field(default_factory=list)
    conflict_codes: list[str] = field(default_factory=list)
    unexplained_codes: list[str] = field(default_factory=list)
    #: Graded cost of each unexplained word and code (signed), summed before the cap.
    unexplained_costs: dict[str, float] = field(default_factory=dict)

    @property
    def unexplained_cost(self) -> float:
        return sum(self.unexplained_costs.values())

    def add_unexplained_word(self, signed: str, cost: float) -> None:
        self._add_unexplained(self.unexplained_words, signed, cost)

    def add_unexplained_code(self, signed: str, cost: float) -> None:
        self._add_unexplained(self.unexplained_codes, signed, cost)

    def _add_unexplained(self, kept: list[str], signed: str, cost: float) -> None:
        kept.append(signed)
        self.unexplained_costs[signed] = self.unexplained_costs.get(signed, 0.0) + cost

    def label_side_naming(self) -> list[str]:
        """The label's unexplained and learned words and codes, presentation words
        aside: what the label says of its line that the record does not."""
        return [
            signed
            for signed in (*self.unexplained_words, *self.unexplained_codes, *self.learned_words)
            if signed.startswith("+") and signed[1:] not in PRESENTATION_WORDS
        ]

    def substitute_line(self, line_words: list[str]) -> None:
        """The record's line is left out of the reading while the label states words of
        its own in its place: both name a line, and the lines differ — a conflict, as
        two unexplained vitola words are ("Master Blends 3 Robusto" for the record
        "Baptiste Robusto" read without "Baptiste"). A learned line word counts too: it
        names the line terse records of the brand omit, not this record's line."""
        moved = self.label_side_naming()
        if not moved or not line_words:
            return
        for signed in moved:
            self.unexplained_costs.pop(signed, None)
            if signed in self.learned_words:
                self.learned_words.remove(signed)
                self.conflict_words.append(signed)
            elif signed in self.unexplained_words:
                self.unexplained_words.remove(signed)
                self.conflict_words.append(signed)
            else:
                self.unexplained_codes.remove(signed)
                self.conflict_codes.append(signed)
        self.conflict_words.extend(f"-{word}" for word in line_words)

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


@dataclass(frozen=True)
class PairFacts:
    """What the classification of one (label, candidate) pair looks at."""

    brand_id: int | None
    #: The candidate's place in the index (its siblings are the brand's other cigars).
    position: int
    label_words: frozenset[str]
    label_codes: Counter
    cigar_words: tuple[str, ...]
    cigar_codes: Counter
    #: Words of the label's maker credit ("by Drew Estate"): who rolls it, not which cigar.
    credit_words: frozenset[str] = frozenset()
    #: Precomputed once per label (thousands of pairs per run): the sorted words and codes.
    words_key: tuple[str, ...] = ()
    codes_key: tuple[str, ...] = ()
    #: The label's codes equal the record's (nothing one-sided to weigh).
    same_codes: bool = False


class Siblings:
    """The brand's other cigars, as the index holds them.

    Which siblings fit a label is found by looking up every subset of the label's words
    in the brand's word-set postings (a label has a handful of words), not by scanning
    the brand's cigars: a 2,500-cigar brand costs the same as a ten-cigar one. The answer
    is cached per (brand, label words, label codes) for the life of the catalogue index.
    """

    MAX_SUBSET_WORDS = 10
    CACHE_ENTRIES = 50_000

    def __init__(self, vocabulary: CatalogueVocabulary, words_at, codes_at) -> None:
        self.vocabulary = vocabulary
        self.words_at = words_at
        self.codes_at = codes_at
        self._fitting: dict[tuple, tuple[int, ...]] = {}

    def fitting(self, facts: PairFacts) -> tuple[int, ...]:
        """The brand's cigars that fit the label: everything their name says, the label
        says too (their words and their numbers are among the label's)."""
        if facts.brand_id is None:
            return ()
        words = (facts.words_key or tuple(sorted(facts.label_words)))[: self.MAX_SUBSET_WORDS]
        key = (facts.brand_id, words, facts.codes_key)
        found = self._fitting.get(key)
        if found is None:
            postings = self.vocabulary.brand_word_sets
            positions = []
            for size in range(len(words) + 1):
                for subset in combinations(words, size):
                    positions.extend(postings.get((facts.brand_id, subset), ()))
            # Its numbers are among the label's too: a sibling whose name carries a number
            # the label does not state says something the label does not.
            found = tuple(p for p in positions if not self.codes_at(p) - facts.label_codes)
            if len(self._fitting) >= self.CACHE_ENTRIES:
                self._fitting.clear()
            self._fitting[key] = found
        return found

    def fitting_carrier(self, facts: PairFacts, *, word: str = "", code: str = "") -> bool:
        """Does a sibling that fits the label carry ``word`` (or ``code``)? Then the label
        may be that sibling. A sibling that carries it beside a vitola the label does not
        name ("Maduro 5 Mágicos" for a "Maduro 5 Genios" label) does not count: the word
        is then the name of a line the candidate's record leaves out."""
        for p in self.fitting(facts):
            if p == facts.position:
                continue
            if (word and word in self.words_at(p)) or (code and self.codes_at(p)[code]):
                return True
        return False

    def share_a_line(self, facts: PairFacts, word: str) -> bool:
        """Does a sibling carry ``word`` together with another of the label's words or
        numbers? Then the word is part of a line name the label and that sibling share."""
        brand_id = facts.brand_id
        if brand_id is None:
            return False
        carriers = set(self.vocabulary.siblings_with_word(brand_id, word, facts.position))
        if not carriers:
            return False
        for other in facts.label_words - {word}:
            if not carriers.isdisjoint(self.vocabulary.brand_words.get((brand_id, other), ())):
                return True
        return any(
            not carriers.isdisjoint(self.vocabulary.brand_codes.get((brand_id, code), ()))
            for code in facts.label_codes
        )


def weigh_words(
    *,
    label_only: list[str],
    cigar_only: list[str],
    facts: PairFacts,
    siblings: Siblings,
    learned: LearnedLookup,
    unexplained_word_cost: float,
    conflict_word_cost: float,
    evidence: Evidence,
) -> None:
    """Classify the one-sided words of a pair into ``evidence``."""
    vocabulary = siblings.vocabulary
    pending: list[tuple[str, str, float]] = []
    for side, words in ((LABEL_SIDE, label_only), (RECORD_SIDE, cigar_only)):
        for word in words:
            signed = _signed(word, side)
            if facts.brand_id is not None:
                key = (facts.brand_id, word, side)
                if key in learned.separating:
                    evidence.conflict_words.append(signed)
                    continue
                if key in learned.benign:
                    evidence.learned_words.append(signed)
                    continue
            verdict = _word_verdict(word, side, facts, siblings)
            if verdict == "presentation" and word in learned.presentation:
                verdict = "learned"
            if verdict == "learned":
                evidence.learned_words.append(signed)
            elif verdict == "conflict":
                evidence.conflict_words.append(signed)
            elif verdict == "credit":
                evidence.ignored_words.append(signed)
            elif verdict == "presentation":
                # How it is packed, not which cigar: the base cost.
                pending.append((signed, side, unexplained_word_cost))
            else:
                separation = vocabulary.separation_of(word)
                cost = unexplained_word_cost + (conflict_word_cost - unexplained_word_cost) * min(
                    1.0, separation
                )
                pending.append((signed, side, cost))
    sides = {side for _signed_word, side, _cost in pending}
    if len(sides) == 2:
        # A word on each side that nothing explains: the two name different vitolas.
        evidence.conflict_words.extend(signed for signed, _side, _cost in pending)
        return
    for signed, _side, cost in pending:
        evidence.add_unexplained_word(signed, cost)


def _word_verdict(word: str, side: str, facts: PairFacts, siblings: Siblings) -> str:
    """``conflict``, ``credit``, ``presentation`` or ``unexplained`` for one word."""
    vocabulary = siblings.vocabulary
    brand_id = facts.brand_id
    if side == LABEL_SIDE:
        if word in PRESENTATION_WORDS:
            # Separating only where the brand's records tell the presentations apart: the
            # candidate's own name with the word is another record. (A vitola named
            # "Tubos" does not make "Edmundo Tubos" another cigar than Edmundo.)
            with_word = (*facts.cigar_words, word)
            if brand_id and any(
                # The same numbers too: "Siglo I Tubos" is no tubed "Siglo VI".
                siblings.codes_at(p) == facts.cigar_codes
                for p in vocabulary.siblings_with_words(brand_id, with_word, facts.position)
            ):
                return "conflict"
            return "presentation"
        if siblings.fitting_carrier(facts, word=word):
            return "conflict"  # the label may be that sibling
        if word in WRAPPER_WORDS:
            wrapper = _wrapper_verdict(word, facts, siblings)
            if wrapper:
                return wrapper
        if (
            vocabulary.separation_of(word) >= 1.0
            and not (word in OMITTABLE_VARIANT_WORDS and not _brand_carries(word, facts, siblings))
            and not siblings.share_a_line(facts, word)
        ):
            # Variant vocabulary: the label names a variant of the candidate ("Robusto
            # Double" for the plain Robusto) unless the word belongs to a line name the
            # label shares with a sibling ("Maduro 5" of "Maduro 5 Mágicos"). A wrapper
            # word or a release designation no cigar of the brand carries is
            # unexplained instead, at the full cost its separation gives it: terse
            # records leave the leaf and the designation out, and the brand's records
            # do not tell them apart. (A size word — "Double", "Petit" — names the
            # vitola itself, which no record leaves out.)
            return "conflict"
        if word in facts.credit_words and vocabulary.separation_of(word) < 1.0:
            return "credit"
        return "unexplained"
    # The record's word the label omits: does a sibling exist without it (the plain
    # version of "Robusto Maduro")? Then the silent label may be that sibling.
    plain = tuple(w for w in facts.cigar_words if w != word)
    if brand_id and vocabulary.siblings_with_words(brand_id, plain, facts.position):
        return "conflict"
    if word in PRESENTATION_WORDS:
        return "presentation"
    if vocabulary.separation_of(word) >= 1.0:
        return "conflict"
    return "unexplained"


def _brand_carries(word: str, facts: PairFacts, siblings: Siblings) -> bool:
    brand_id = facts.brand_id
    return bool(brand_id and siblings.vocabulary.siblings_with_word(brand_id, word, facts.position))


def _wrapper_verdict(word: str, facts: PairFacts, siblings: Siblings) -> str:
    """A label's wrapper word the record lacks: ``conflict`` when the record names
    another wrapper, ``presentation`` (the base cost) when the record is the unmarked
    twin of the same cigar in another named wrapper, else nothing decided here."""
    others = [w for w in facts.cigar_words if w in WRAPPER_WORDS and w != word]
    if others:
        return "conflict"
    brand_id = facts.brand_id
    if not brand_id:
        return ""
    vocabulary = siblings.vocabulary
    for other in WRAPPER_WORDS - {word}:
        twin = (*facts.cigar_words, other)
        if vocabulary.siblings_with_words(brand_id, twin, facts.position):
            return "presentation"
    return ""


def weigh_codes(
    *,
    facts: PairFacts,
    siblings: Siblings,
    unexplained_code_cost: float,
    evidence: Evidence,
) -> None:
    """Classify the codes present on one side only into ``evidence``."""
    if facts.same_codes:
        return
    vocabulary = siblings.vocabulary
    brand_id = facts.brand_id
    label_extra = facts.label_codes - facts.cigar_codes
    cigar_extra = facts.cigar_codes - facts.label_codes
    label_roles = {code_role(c) for c in facts.label_codes}
    cigar_roles = {code_role(c) for c in facts.cigar_codes}
    for code in sorted(label_extra.elements()):
        if code_role(code) in cigar_roles or siblings.fitting_carrier(facts, code=code):
            evidence.conflict_codes.append(f"+{code}")
        else:
            evidence.add_unexplained_code(f"+{code}", unexplained_code_cost)
    for code in sorted(cigar_extra.elements()):
        same_words = (
            vocabulary.siblings_with_words(brand_id, facts.cigar_words, facts.position)
            if brand_id
            else ()
        )
        if code_role(code) in label_roles or same_words:
            evidence.conflict_codes.append(f"-{code}")
        else:
            evidence.add_unexplained_code(f"-{code}", unexplained_code_cost)


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
