"""Matching parameters: defaults from settings, thresholds (and weights) from the latest
calibration once ``calibrate_matching`` has stored one.

Settings (all optional): ``MATCHING_K`` (neighbours per generator, default 30),
``MATCHING_ACCEPT_THRESHOLD`` / ``MATCHING_REJECT_THRESHOLD`` (defaults 0.80 / 0.55),
``MATCHING_MIN_MARGIN`` (the best must lead the second by this much to be auto-accepted,
default 0.05), ``MATCHING_WEIGHTS`` (signal → weight), ``MATCHING_ALTERNATIVES`` (kept
candidates after the best, default 3), ``MATCHING_SCORED_CANDIDATES`` (candidates fully
scored per entry, default 10).

The review budget, before any human decision exists for a source:
``MATCHING_REVIEW_BUDGET`` (the share of a first edition operators are asked to review,
default 0.15), ``MATCHING_REVIEW_FLOOR`` (no entry scoring below it is worth a look,
whatever the budget, default 0.20), ``MATCHING_BUDGET_MIN_ENTRIES`` (a run with fewer
cigar entries keeps the fixed reject threshold and fixes no budget, default 100).
Learning: ``MATCHING_LEARN_CONFIRMATIONS`` (decisions that make a word or a brand
spelling learned, default 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.conf import settings

DEFAULT_WEIGHTS = {"exact": 0.15, "fuzzy": 0.45, "vector": 0.20, "pack_compat": 0.05, "brand": 0.15}
SIGNAL_NAMES = tuple(DEFAULT_WEIGHTS)

# Hard constraints: a candidate that hits one is another product more often than not, so
# its score drops well below the auto-accept threshold (docs/matching.md).
PENALTIES = {
    "codes": 0.45,  # numbers, Roman numerals or one-letter codes differ (Siglo VI vs I)
    "word": 0.25,  # per distinguishing word on either side (Petit Edmundo vs Edmundo)
    "words_max": 0.50,
    # What one side states and nothing says separates products (matching.evidence): a
    # null comparison in Fellegi-Sunter terms. It weighs little — a terse record omits
    # line names, origins and credits — and grows with how often the word separates
    # products elsewhere in the catalogue. It only orders the review queue: a pair with
    # anything unexplained is never auto-accepted.
    "unexplained_word": 0.05,
    "unexplained_code": 0.08,  # a number says more than a word (a year, an anniversary)
    "unexplained_max": 0.25,
    # The record is named exactly by another label of the same edition, and this label
    # reaches it only through unexplained words: most likely another product of the line
    # (one product, one name per edition). As strong as a distinguishing word.
    "claimed": 0.25,
    "edition": 0.50,  # an edition the cigar is not (Edición Limitada, Gran Reserva…)
    # An edition stated on one side only: missing, not conflicting; as much as one
    # variant word the brand does not tell apart. Never auto-accepted.
    "edition_one_side": 0.25,
    "dimensions": 0.20,  # the label's ring/length hint disagrees with the cigar
    "brand": 0.25,  # the label names another catalogue brand
    "unknown_brand": 0.15,  # read past a first word that is no catalogue brand ("RyJ")
    "line_omitted": 0.03,  # the label leaves the line out (Cohiba BHK 54)
    # A supplier shorthand of the name (Partagas P2, Cohiba Behike 56): the same product,
    # but the full spelling, when a label writes it, must still rank first.
    "shorthand": 0.03,
}


@dataclass(frozen=True)
class MatchingConfig:
    accept_threshold: float
    reject_threshold: float
    min_margin: float
    weights: dict[str, float]
    k: int
    alternatives: int
    scored_candidates: int
    penalties: dict[str, float] = field(default_factory=lambda: dict(PENALTIES))
    calibration_id: int | None = None
    #: How the thresholds were set: "settings", "budget" or "decisions".
    method: str = "settings"
    review_budget: float = 0.15
    review_floor: float = 0.20
    budget_min_entries: int = 100

    def status_for(self, score: float, margin: float | None, *, acceptable: bool = True) -> str:
        """``acceptable``: the pair has nothing unexplained or in conflict (else review at
        best, however high the score)."""
        from matching.models import MatchStatus

        if (
            acceptable
            and score >= self.accept_threshold
            and (margin is None or margin >= self.min_margin)
        ):
            return MatchStatus.AUTO_ACCEPTED
        if score >= self.reject_threshold:
            return MatchStatus.PENDING_REVIEW
        return MatchStatus.AUTO_REJECTED

    @property
    def needs_budget(self) -> bool:
        """No threshold was fixed for the source yet: a large run sets one from the budget."""
        return self.method == "settings"


def _normalised_weights(weights: dict) -> dict[str, float]:
    clean = {name: max(0.0, float(weights.get(name, 0.0))) for name in SIGNAL_NAMES}
    total = sum(clean.values())
    if total <= 0:
        return dict(DEFAULT_WEIGHTS)
    return {name: value / total for name, value in clean.items()}


def default_config() -> MatchingConfig:
    return MatchingConfig(
        accept_threshold=float(getattr(settings, "MATCHING_ACCEPT_THRESHOLD", 0.80)),
        reject_threshold=float(getattr(settings, "MATCHING_REJECT_THRESHOLD", 0.55)),
        min_margin=float(getattr(settings, "MATCHING_MIN_MARGIN", 0.05)),
        weights=_normalised_weights(getattr(settings, "MATCHING_WEIGHTS", DEFAULT_WEIGHTS)),
        k=int(getattr(settings, "MATCHING_K", 30)),
        alternatives=int(getattr(settings, "MATCHING_ALTERNATIVES", 3)),
        scored_candidates=int(getattr(settings, "MATCHING_SCORED_CANDIDATES", 10)),
        review_budget=float(getattr(settings, "MATCHING_REVIEW_BUDGET", 0.15)),
        review_floor=float(getattr(settings, "MATCHING_REVIEW_FLOOR", 0.20)),
        budget_min_entries=int(getattr(settings, "MATCHING_BUDGET_MIN_ENTRIES", 100)),
    )


def learn_confirmations() -> int:
    return max(1, int(getattr(settings, "MATCHING_LEARN_CONFIRMATIONS", 2)))


def current_config(source_slug: str | None = None) -> MatchingConfig:
    """The defaults, with the thresholds and weights of the calibration in force on top:
    the newest of the source's own, else the newest for every source."""
    from matching.models import MatchingCalibration

    config = default_config()
    calibrations = MatchingCalibration.objects.order_by("-created_at", "-id")
    calibration = None
    if source_slug:
        calibration = calibrations.filter(source_slug=source_slug).first()
    if calibration is None:
        calibration = calibrations.filter(source_slug="").first()
    if calibration is None:
        return config
    weights = calibration.weights or config.weights
    return replace(
        config,
        accept_threshold=float(calibration.accept_threshold),
        reject_threshold=float(calibration.reject_threshold),
        weights=_normalised_weights(weights),
        calibration_id=calibration.pk,
        method=calibration.method,
    )
