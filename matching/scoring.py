"""The signals of one (label, cigar) pair, its hard constraints and its additive score.

Signals, each in [0, 1]:

- ``exact``: the label's tokens are the cigar's (order aside), line words optional;
- ``fuzzy``: rapidfuzz ``ratio`` of the sorted token strings. Deliberately *not* a
  token-set ratio nor "shared words / smaller set": those score "catalogue name + extra
  words" as a perfect match, the most frequent wrong auto-accept of another
  implementation of this design;
- ``vector``: cosine of the two embeddings (``None`` when either side has no vector of the
  current model: the weights of the other signals are then renormalised);
- ``pack_compat``: 1 if the label's pack size is among the cigar's known packages, 0.5 if
  either is unknown, 0 if the cigar's packages are known and this one is not among them;
- ``brand``: 1 same brand as the label's brand guess, 0.5 no guess, 0 another brand.

Hard constraints subtract fixed penalties (``conf.PENALTIES``): numbers, Roman numerals
or one-letter codes in conflict; distinguishing words; an edition the cigar is not; a
dimension hint that disagrees; another brand. What one side states and the other is
silent about is weighed by ``matching.evidence`` (conflict, unexplained, learned) within
the candidate's brand. The score is ``Σ weight x signal - Σ penalties`` clipped to
[0, 1], so every contribution can be shown.

A pair may be AUTO_ACCEPTED only if nothing in it is unexplained or in conflict
(``PairScore.auto_acceptable``): unexplained words send it to review, however high its
score, until reviewers have confirmed them for the brand.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz

from matching.analysis import (
    CigarAnalysis,
    CigarVariant,
    LabelAnalysis,
    codes_of,
    read_after_maker,
    roman_value,
    words_of,
)
from matching.conf import MatchingConfig
from matching.evidence import (
    Evidence,
    LearnedLookup,
    PairFacts,
    Siblings,
    weigh_codes,
    weigh_strictly,
    weigh_words,
)
from matching.shorthand import is_abbreviation
from matching.vocabulary import CatalogueVocabulary

TYPO_RATIO = 80.0
TYPO_MIN_LENGTH = 4


@dataclass
class PairScore:
    cigar_id: int
    signals: dict[str, float | None]
    penalties: dict[str, float]
    constraints: list[str]
    score: float
    matched: list[str] = field(default_factory=list)
    typos: list[tuple[str, str]] = field(default_factory=list)
    label_only: list[str] = field(default_factory=list)
    cigar_only: list[str] = field(default_factory=list)
    omits_line: bool = False
    evidence: Evidence = field(default_factory=Evidence)
    #: Nothing unexplained, nothing in conflict, a catalogue brand read in full.
    auto_acceptable: bool = False

    def contributions(self, weights: dict[str, float]) -> dict[str, float]:
        available = {n: w for n, w in weights.items() if self.signals.get(n) is not None}
        total = sum(available.values()) or 1.0
        return {n: w / total * float(self.signals[n]) for n, w in available.items()}


@dataclass(frozen=True)
class ScoringContext:
    """The catalogue statistics and the reviewers' vocabulary evidence is weighed with."""

    vocabulary: CatalogueVocabulary = field(default_factory=CatalogueVocabulary)
    learned: LearnedLookup = field(default_factory=LearnedLookup)
    #: position → the codes of that cigar of the index (a sibling's numbers).
    cigars: tuple = ()

    def codes_at(self, position: int) -> Counter:
        return self.cigars[position].variants[0].codes

    def words_at(self, position: int) -> tuple[str, ...]:
        return self.cigars[position].variants[0].rest_words

    @cached_property
    def siblings(self) -> Siblings:
        # Cached on the (frozen) context: the fitting-sibling look-ups are memoised there.
        return Siblings(self.vocabulary, self.words_at, self.codes_at)


EMPTY_CONTEXT = ScoringContext()


def align_tokens(
    label: tuple[str, ...], cigar: tuple[str, ...]
) -> tuple[list[str], list[tuple[str, str]], list[str], list[str]]:
    """(matched, typo pairs, label-only words, cigar-only words); codes are left to the
    code comparison and ``no`` markers ignored."""
    return align_words(words_of(label), words_of(cigar))


def _initialisms(
    short_side: list[str], long_side: list[str]
) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Initialisms one side writes for words the other spells out ("VSG" for "Virgin Sun
    Grown", "KFC" for "Kentucky Fire Cured"): (pairs, short side left, long side left)."""
    pairs: list[tuple[str, str]] = []
    short_left = list(short_side)
    long_left = list(long_side)
    for token in short_side:
        size = len(token)
        if not (2 <= size <= 5 and token.isalpha()) or token in long_side:
            continue
        for start in range(len(long_left) - size + 1):
            run = long_left[start : start + size]
            if "".join(word[0] for word in run) == token:
                pairs.append((token, " ".join(run)))
                short_left.remove(token)
                del long_left[start : start + size]
                break
    return pairs, short_left, long_left


def align_words(
    label: tuple[str, ...], cigar: tuple[str, ...]
) -> tuple[list[str], list[tuple[str, str]], list[str], list[str]]:
    """``align_tokens`` on words already stripped of codes and markers."""
    cigar_pairs, cigar_left, label_left = _initialisms(list(cigar), list(label))
    label_pairs, label_left, cigar_left = _initialisms(label_left, cigar_left)
    remaining = cigar_left
    matched, label_only = [], []
    typos: list[tuple[str, str]] = [(b, a) for a, b in cigar_pairs] + label_pairs
    for token in label_left:
        if token in remaining:
            remaining.remove(token)
            matched.append(token)
            continue
        best, best_ratio = None, 0.0
        if len(token) >= TYPO_MIN_LENGTH:
            for other in remaining:
                if len(other) >= TYPO_MIN_LENGTH:
                    ratio = fuzz.ratio(token, other)
                    if ratio > best_ratio:
                        best, best_ratio = other, ratio
        if best is None or best_ratio < TYPO_RATIO:
            # "BHK" for "Behike", "Hab" for "Habano": one side abbreviates the other.
            best = next((o for o in remaining if _shortens(token, o) or _shortens(o, token)), None)
            best_ratio = TYPO_RATIO if best is not None else 0.0
        if best is not None and best_ratio >= TYPO_RATIO:
            remaining.remove(best)
            typos.append((token, best))
        else:
            label_only.append(token)
    return matched, typos, label_only, remaining


def _drop_once(key: str, words: list[str]) -> str:
    """``key`` without one occurrence of each word (a brand word repeated in a credit,
    "Flor de Selva … by Maya Selva", leaves the brand's own occurrence in place)."""
    tokens = key.split()
    for word in words:
        if word in tokens:
            tokens.remove(word)
        elif word.isdigit():
            # A code is written as the name writes it: "V" or "05" for the code 5.
            spelled = next((t for t in tokens if _code_value(t) == int(word)), None)
            if spelled is not None:
                tokens.remove(spelled)
    return " ".join(tokens)


def _code_value(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return roman_value(token) if token.isalpha() else None


def _without(label_key: str, cigar_key: str, signed: list[str]) -> tuple[str, str]:
    """Both keys without the signed words (``+``: the label's, ``-``: the record's)."""
    label_drop = [w[1:] for w in signed if w.startswith("+")]
    cigar_drop = [word for w in signed if w.startswith("-") for word in w[1:].split()]
    return _drop_once(label_key, label_drop), _drop_once(cigar_key, cigar_drop)


_VOWELS = frozenset("aeiouy")


def _shortens(short: str, word: str) -> bool:
    """``short`` is ``word`` written short ("bhk" of "behike", "dbl" of "double"): its
    consonant skeleton, at most three quarters of its letters. A word that keeps its
    vowels is a word of its own ("toro" is no abbreviation of "torpedo") or a typo
    ("robuto" for "robusto")."""
    return (
        4 * len(short) <= 3 * len(word)
        and not _VOWELS.intersection(short[1:])
        and is_abbreviation(short, word)
    )


#: The constraints that say an edition is stated on one side only (``apply_claims``
#: reads the first: a label that reaches a claimed record only through it names
#: another product, as one reaching it through unexplained words does).
EDITION_ON_LABEL = "edition on the label only"
EDITION_ON_RECORD = "edition on the record only"

#: A typo this close is a slip of the keyboard ("Churchils"); below it, an aligned pair
#: may be two names ("Coronitas" / "Corona") and a reviewer confirms it first.
SURE_TYPO_RATIO = 90.0


def _is_abbreviation_pair(label_word: str, cigar_word: str) -> bool:
    """An aligned pair that is one spelling written short, not a typo: "BHK" / "Behike",
    "VSG" / "virgin sun grown"."""
    return (
        " " in cigar_word
        or " " in label_word
        or _shortens(label_word, cigar_word)
        or _shortens(cigar_word, label_word)
    )


def _omitted_variant_words(
    cigar: CigarAnalysis, variant: CigarVariant, context: ScoringContext
) -> list[str]:
    """Line words a line-less reading leaves out that name a variant ("Maduro" of a
    "Flor de Selva / Maduro / Churchill" record): the label that omits them is the plain
    cigar, so they are weighed as record words the label lacks, not silently dropped."""
    if not variant.omits_line:
        return []
    kept = set(variant.rest_words)
    return [
        word
        for word in cigar.variants[0].rest_words
        if word not in kept and context.vocabulary.separation_of(word) >= 1.0
    ]


def _line_words(cigar: CigarAnalysis, variant: CigarVariant) -> list[str]:
    """The words (and numbers) of the record's line that a line-less reading leaves out."""
    kept = set(variant.rest)
    return [token for token in cigar.variants[0].rest if token not in kept]


def _dated(editions: frozenset[str]) -> bool:
    """An edition key carries its year ("limited 2021", "gran reserva cosecha 2014")."""
    return any(word.isdigit() and len(word) == 4 for key in editions for word in key.split())


def pack_compat(pack_size: int | None, pack_sizes: frozenset[int]) -> float:
    if pack_size is None or not pack_sizes:
        return 0.5
    return 1.0 if pack_size in pack_sizes else 0.0


def _dimensions_disagree(label: LabelAnalysis, cigar: CigarAnalysis) -> bool:
    rings = (label.ring_gauge, cigar.ring_gauge)
    if None not in rings and abs(rings[0] - rings[1]) > 1:
        return True
    if label.length_mm is not None and cigar.length_mm is not None:
        return abs(label.length_mm - cigar.length_mm) > 6
    return False


def _score_variant(
    label: LabelAnalysis,
    cigar: CigarAnalysis,
    variant: CigarVariant,
    vector: float | None,
    config: MatchingConfig,
    *,
    context: ScoringContext = EMPTY_CONTEXT,
    unknown_brand_word: bool = False,
) -> PairScore:
    """``unknown_brand_word``: the label has no catalogue brand; read its first word as a
    brand spelling the catalogue does not know ("RyJ Churchills") and compare the rest
    with the vitola. Such a reading is never auto-accepted (unknown brands go to review)."""
    penalties_conf = config.penalties
    # A label that states no brand at all ("TOSCANELLO" for Toscano's Toscanello) is
    # silent about it, not in conflict: its words are compared with the name alone.
    brand_silent = (
        not unknown_brand_word
        and label.brand_id is None
        and bool(label.tokens)
        and set(cigar.brand_tokens).isdisjoint(label.tokens)
    )
    if unknown_brand_word:
        label_key = " ".join(sorted(label.tokens[1:]))
        cigar_key = variant.rest_key
    elif brand_silent:
        label_key = " ".join(sorted(label.tokens))
        cigar_key = variant.rest_key
    else:
        label_key = label.key
        cigar_key = variant.full_key
    if label.brand_id is None:
        brand_signal = 0.5
    else:
        brand_signal = 1.0 if label.brand_id == cigar.brand_id else 0.0
    signals: dict[str, float | None] = {
        "exact": 1.0 if label_key == cigar_key else 0.0,
        "fuzzy": round(fuzz.ratio(label_key, cigar_key) / 100.0, 4),
        "vector": None if vector is None else round(min(1.0, max(0.0, float(vector))), 4),
        "pack_compat": pack_compat(label.pack_size, cigar.pack_sizes),
        "brand": brand_signal,
    }
    # Without a brand guess the whole label is compared with brand + name.
    if unknown_brand_word:
        label_words, cigar_words = words_of(label.tokens[1:]), variant.rest_words
        label_codes = codes_of(list(label.tokens[1:]), first_is_brand=True)
    elif label.brand_id is not None:
        label_words, cigar_words, label_codes = label.rest_words, variant.rest_words, label.codes
    elif brand_silent:
        label_words, cigar_words, label_codes = label.all_words, variant.rest_words, label.codes
    else:
        label_words, cigar_words, label_codes = label.all_words, variant.full_words, label.codes
    matched, typos, label_only, cigar_only = align_words(label_words, cigar_words)

    penalties: dict[str, float] = {}
    constraints: list[str] = []
    if unknown_brand_word:
        penalties["unknown_brand"] = penalties_conf["unknown_brand"]
        constraints.append(f"brand not in the catalogue: {label.tokens[0]}")
        brands = context.vocabulary.brands_with_name(variant.rest_words)
        if brands > 1:
            # "Artista Toro": a name many brands give a cigar says nothing of which brand
            # an unknown first word is; the reading is no evidence for this one.
            penalties["ambiguous_name"] = penalties_conf["word"]
            constraints.append(f"{brands} brands name a cigar so")
    if brand_silent and context.vocabulary.brands_with_name(variant.rest_words) > 1:
        # A name several brands give a cigar, with no brand stated: nothing says which.
        penalties["ambiguous_name"] = penalties_conf["word"]
        constraints.append("no brand stated, and several brands name a cigar so")
    evidence = Evidence()
    if brand_signal == 1.0:
        # Weighed within the candidate's brand, the one the label names. (A reading past an
        # unknown first word is only a hypothesis of the brand: weighed strictly below.)
        facts = PairFacts(
            brand_id=cigar.brand_id,
            position=cigar.position,
            label_words=label.rest_word_set,
            label_codes=label_codes,
            cigar_words=variant.rest_words,
            cigar_codes=variant.codes,
            credit_words=label.credit,
            words_key=label.rest_words_key,
            codes_key=label.codes_key,
            same_codes=label.codes_key == variant.codes_key,
        )
        siblings = context.siblings
        weigh_codes(
            facts=facts,
            siblings=siblings,
            unexplained_code_cost=penalties_conf["unexplained_code"],
            evidence=evidence,
        )
        weigh_words(
            label_only=label_only,
            cigar_only=[*cigar_only, *_omitted_variant_words(cigar, variant, context)],
            facts=facts,
            siblings=siblings,
            learned=context.learned,
            unexplained_word_cost=penalties_conf["unexplained_word"],
            conflict_word_cost=penalties_conf["word"],
            evidence=evidence,
        )
        if variant.omits_line:
            evidence.substitute_line(_line_words(cigar, variant))
    else:
        # No brand to weigh within (none guessed, or another one): every difference counts.
        weigh_strictly(label_only, cigar_only, label_codes, variant.codes, evidence)
    learned = [*evidence.learned_words, *evidence.ignored_words]
    for label_word, cigar_word in typos:
        if _is_abbreviation_pair(label_word, cigar_word):
            # The same word written short: compared as agreeing, like a learned word.
            learned += [f"+{word}" for word in label_word.split()]
            learned.append(f"-{cigar_word}")
    unexplained = evidence.unexplained_words_and_codes
    if learned or unexplained:
        # Learned words say nothing of identity: the names are compared without them
        # ("Serie V Melanio Toro" with "Melanio" learned reads "Serie V Toro"). Unexplained
        # ones are charged once, by their own cost, not a second time through the exact
        # and string-similarity signals (a long origin word would sink them both).
        label_key, cigar_key = _without(label_key, cigar_key, [*learned, *unexplained])
        signals["exact"] = 1.0 if label_key == cigar_key else 0.0
        signals["fuzzy"] = round(fuzz.ratio(label_key, cigar_key) / 100.0, 4)
    if evidence.conflict_codes:
        penalties["codes"] = penalties_conf["codes"]
        shown = " ".join(sorted(label_codes.elements())) or "none"
        cigar_codes = " ".join(sorted(variant.codes.elements())) or "none"
        constraints.append(f"numbers differ: {shown} vs {cigar_codes}")
    if evidence.conflict_words:
        penalties["words"] = min(
            penalties_conf["words_max"], penalties_conf["word"] * len(evidence.conflict_words)
        )
        constraints.append("distinguishing words: " + ", ".join(evidence.conflict_words))
    if evidence.unexplained_cost:
        penalties["unexplained"] = round(
            min(penalties_conf["unexplained_max"], evidence.unexplained_cost), 4
        )
    if label.editions != cigar.editions:
        brand_tells_editions = cigar.brand_id in context.vocabulary.brands_with_editions
        if label.editions and (cigar.editions or brand_tells_editions or _dated(label.editions)):
            # Both state an edition and they differ: another product. So is a label's
            # edition under a brand whose records name their editions (the catalogue
            # would hold this one as a record of its own), and a dated one: a release
            # of one year is another product than the regular production.
            penalties["edition"] = penalties_conf["edition"]
            constraints.append("edition: " + ", ".join(sorted(label.editions)))
        else:
            # One side is silent about it (a terse record omits "Gran Reserva"; a label
            # may omit the record's "Edición Limitada"): missing, weighed as a variant
            # word the brand's records do not tell apart — review at best.
            penalties["edition_one_side"] = penalties_conf["edition_one_side"]
            shown = ", ".join(sorted(label.editions or cigar.editions))
            prefix = EDITION_ON_LABEL if label.editions else EDITION_ON_RECORD
            constraints.append(f"{prefix}: {shown}")
    if _dimensions_disagree(label, cigar):
        penalties["dimensions"] = penalties_conf["dimensions"]
        constraints.append("dimensions differ")
    if brand_signal == 0.0:
        penalties["brand"] = penalties_conf["brand"]
        constraints.append("another brand")
    if variant.omits_line:
        penalties["line_omitted"] = penalties_conf["line_omitted"]
    if variant.shorthand:
        penalties["shorthand"] = penalties_conf["shorthand"]

    result = PairScore(
        cigar_id=cigar.cigar_id,
        signals=signals,
        penalties=penalties,
        constraints=constraints,
        score=0.0,
        matched=matched,
        typos=typos,
        label_only=label_only,
        cigar_only=cigar_only,
        omits_line=variant.omits_line,
        evidence=evidence,
    )
    weighted = total = 0.0
    for name, weight in config.weights.items():
        value = signals[name]
        if value is not None:
            weighted += weight * value
            total += weight
    base = weighted / total if total else 0.0
    score = min(1.0, max(0.0, base - sum(penalties.values())))
    if unknown_brand_word:
        score = min(score, config.accept_threshold - 0.001)
    result.score = round(score, 3)
    if label.maker_first:
        constraints.append("a maker written before the brand")
    result.auto_acceptable = (
        not unknown_brand_word
        and not label.brand_partial
        and not label.maker_first
        and brand_signal == 1.0
        and not evidence.has_conflict
        and not evidence.has_unexplained
        and not set(penalties) - {"line_omitted", "shorthand"}
        and all(
            not _is_abbreviation_pair(a, b) and fuzz.ratio(a, b) >= SURE_TYPO_RATIO
            for a, b in typos
        )
    )
    return result


def score_pair(
    label: LabelAnalysis,
    cigar: CigarAnalysis,
    *,
    vector: float | None,
    config: MatchingConfig,
    context: ScoringContext = EMPTY_CONTEXT,
) -> PairScore:
    """The best reading of the cigar (with or without its line words) against the label."""
    best: PairScore | None = None
    if (
        label.brand_id is not None
        and cigar.brand_id != label.brand_id
        and context.vocabulary.brand_names_brand(label.brand_id, cigar.brand_tokens)
    ):
        # The candidate's brand written right after the label's, and the catalogue says
        # the first makes it (its records name the second: Drew Estate's "Liga Privada
        # No. 9" line): the first is the maker.
        label = read_after_maker(label, cigar.brand_id, cigar.brand_tokens) or label
    readings = [False, True] if label.brand_id is None and len(label.tokens) > 1 else [False]
    for variant in cigar.variants:
        for unknown_brand_word in readings:
            candidate = _score_variant(
                label,
                cigar,
                variant,
                vector,
                config,
                context=context,
                unknown_brand_word=unknown_brand_word,
            )
            # A reading with nothing against it is what the label says, even if another
            # reading scores a hair higher through an abbreviation or a typo.
            if best is None or (candidate.auto_acceptable, candidate.score) > (
                best.auto_acceptable,
                best.score,
            ):
                best = candidate
    assert best is not None
    return best
