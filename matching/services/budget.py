"""The review floor: which uncertain entries go to review, before and after decisions.

AUTO_REJECTED means "no catalogue cigar plausibly is this product", not "not sure". How
far down "plausibly" goes depends on what is known:

- **No decision yet for the source** (its configuration comes from the settings): a
  large run (``budget_min_entries`` cigar entries or more) fills the operators' review
  budget — ``review_budget`` of the entries seen, 15 % by default — with its most likely
  matches, in score order, never below ``review_floor``. The floor it reached is stored as
  the source's ``budget`` calibration, so that later editions are judged alike (an
  unchanged label of the second edition gets the status it got in the first, and the
  queue holds only what is new).
- **A calibration exists** (a stored budget, or thresholds fitted on decisions by
  ``calibrate_matching``): its reject threshold is the floor.
- **A small run with no calibration** (a handful of entries): the fixed reject threshold of
  the settings; a dozen lines say nothing about a source's score distribution.

The order is the score's: a candidate that is the only cigar of its brand fitting every
conflict-capable piece of evidence, with nothing but unexplained words against it, scores
near the top (unexplained words cost little), so it is among the first the budget takes.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from decimal import Decimal

from matching.conf import MatchingConfig
from matching.models import CalibrationMethod, MatchingCalibration, MatchStatus
from matching.scoring import EDITION_ON_LABEL
from matching.vocabulary import PRESENTATION_WORDS

#: Scores are stored with three decimals: the step between two distinct scores.
SCORE_STEP = 0.001


def budget_floor(scores: list[float], *, budget: int, floor: float) -> float:
    """The lowest review floor that sends at most ``budget`` of ``scores`` to review.

    Every score at or above ``floor`` fits when there are few enough; otherwise the floor
    rises to the ``budget``-th best score, one step higher when ties would overflow.
    """
    eligible = sorted((s for s in scores if s >= floor), reverse=True)
    if len(eligible) <= budget:
        return floor
    if budget <= 0:
        return round(eligible[0] + SCORE_STEP, 3)
    cut = eligible[budget - 1]
    if eligible[budget] >= cut:
        cut = round(cut + SCORE_STEP, 3)
    return max(cut, floor)


def _exact(row) -> bool:
    """The label names the record as written, under the record's own brand."""
    evidence = row.signals.get("evidence") or {}
    return (
        row.signals.get("exact") == 1.0
        and row.signals.get("brand") == 1.0
        and not row.signals.get("constraints")
        and not (evidence.get("conflicts") or evidence.get("unexplained"))
    )


def _product_words(row) -> list[str]:
    """The unexplained words and numbers of a row that could name another product (not
    presentation words: a tube of a cigar is that cigar), and an edition only the label
    states."""
    unexplained = (row.signals.get("evidence") or {}).get("unexplained") or []
    editions = [c for c in row.signals.get("constraints") or [] if c.startswith(EDITION_ON_LABEL)]
    return [*(w for w in unexplained if w[1:] not in PRESENTATION_WORDS), *editions]


def apply_claims(batches, configs: dict[str, MatchingConfig]) -> int:
    """One product, one name per edition: a record some label of the run names exactly
    is *claimed* by that label's name. Another label of the run whose best candidate is
    that record only through unexplained words ("Macanudo Gold Label Hyde Park" beside
    "Macanudo Hyde Park") most likely names another product: its score drops by the
    ``claimed`` penalty, with the reason among its constraints. Presentations of one name
    ("…, en 25 cigares", "… (tube), en 3 cigares") share the name and claim nothing from
    each other. Returns how many entries were affected."""
    claims: dict[tuple[str, int], set[str]] = defaultdict(set)
    results = [r for batch in batches for r in batch if r.rows]
    for result in results:
        best = result.rows[0]
        if _exact(best):
            claims[(result.entry.source_slug, best.cigar_id)].add(result.name_key)
    affected = 0
    for result in results:
        best = result.rows[0]
        if not result.floor_applies or not _product_words(best):
            continue
        names = claims.get((result.entry.source_slug, best.cigar_id), set()) - {result.name_key}
        if not names:
            continue
        penalty = configs[result.entry.source_slug].penalties["claimed"]
        best.score = round(max(0.0, best.score - penalty), 3)
        best.signals = {
            **best.signals,
            "penalty": round(best.signals.get("penalty", 0) + penalty, 3),
            "constraints": [
                *best.signals.get("constraints", []),
                f"claimed by another label of this edition: {sorted(names)[0]}",
            ],
        }
        affected += 1
    return affected


def apply_review_floors(batches, entries, configs: dict[str, MatchingConfig]) -> dict[str, float]:
    """Set the best row's status of every scored entry from its source's review floor.

    ``entries`` are every cigar entry the run saw (the budget is a share of the edition,
    not of the entries still to score). Returns the floor used per source.
    """
    seen = Counter(entry.source_slug for entry in entries)
    by_source = defaultdict(list)
    for results in batches:
        for result in results:
            if result.floor_applies:
                by_source[result.entry.source_slug].append(result)
    floors: dict[str, float] = {}
    for slug, results in by_source.items():
        config = configs[slug]
        floor = config.reject_threshold
        if config.needs_budget and seen[slug] >= config.budget_min_entries:
            budget = math.floor(config.review_budget * seen[slug])
            floor = budget_floor(
                [r.rows[0].score for r in results], budget=budget, floor=config.review_floor
            )
            _store_budget(slug, config, floor=floor, seen=seen[slug], budget=budget)
        floors[slug] = floor
        for result in results:
            best = result.rows[0]
            best.status = (
                MatchStatus.PENDING_REVIEW if best.score >= floor else MatchStatus.AUTO_REJECTED
            )
    return floors


def _store_budget(slug: str, config: MatchingConfig, *, floor: float, seen: int, budget: int):
    return MatchingCalibration.objects.create(
        source_slug=slug,
        method=CalibrationMethod.BUDGET,
        accept_threshold=Decimal(str(round(config.accept_threshold, 3))),
        reject_threshold=Decimal(str(round(floor, 3))),
        weights=config.weights,
        target_precision=Decimal("0"),
        decisions=0,
        figures={"review_budget": config.review_budget, "entries": seen, "budget": budget},
    )
