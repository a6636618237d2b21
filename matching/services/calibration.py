"""Fitting the two thresholds (and the weights, once there are enough decisions) on
human decisions.

- AUTO_ACCEPT = the lowest score whose precision on human-labelled pairs reaches the
  target (``target_precision``, 0.995: docs/performance.md);
- AUTO_REJECT = the highest score below which the accepted pairs lost stay under
  ``max_recall_loss`` (docs/performance.md: end-to-end recall ≥ 98 %);
- weights: a logistic regression of accepted vs rejected on the signals, its positive
  coefficients normalised to sum 1 (the score stays additive, so explanations stay
  per-signal), fitted only with at least ``min_decisions_for_weights`` decisions.

The result is stored as a ``MatchingCalibration`` row (the engine reads the newest one;
settings remain the defaults).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction

from matching.conf import SIGNAL_NAMES, current_config
from matching.models import (
    CalibrationMethod,
    CigarCustomsMatch,
    MatchingCalibration,
    MatchStatus,
)

MIN_DECISIONS = 20
MIN_DECISIONS_FOR_WEIGHTS = 200


@dataclass
class CalibrationResult:
    accept_threshold: float
    reject_threshold: float
    weights: dict[str, float]
    weights_fitted: bool
    decisions: int
    positives: int
    curve: list[dict] = field(default_factory=list)
    calibration_id: int | None = None


def _decisions(source_slug: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = CigarCustomsMatch.objects.filter(
        status__in=[MatchStatus.HUMAN_ACCEPTED, MatchStatus.HUMAN_REJECTED]
    )
    if source_slug:
        rows = rows.filter(price_entry__publication__source__slug=source_slug)
    labels: list[float] = []
    features: list[list[float]] = []
    penalties: list[float] = []
    for status, signals in rows.values_list("status", "signals"):
        signals = signals or {}
        labels.append(1.0 if status == MatchStatus.HUMAN_ACCEPTED else 0.0)
        # A missing vector counts as "no information" (0.5) for the fit.
        features.append(
            [float(signals[n]) if signals.get(n) is not None else 0.5 for n in SIGNAL_NAMES]
        )
        penalties.append(float(signals.get("penalty") or 0.0))
    return (
        np.asarray(labels),
        np.asarray(features).reshape(-1, len(SIGNAL_NAMES)),
        np.asarray(penalties),
    )


def fit_logistic(
    x: np.ndarray, y: np.ndarray, *, steps: int = 3000, rate: float = 0.5
) -> np.ndarray:
    """Coefficients (no intercept) of an L2-regularised logistic regression, by gradient descent."""
    weights = np.zeros(x.shape[1] + 1)
    design = np.hstack([x, np.ones((x.shape[0], 1))])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(design @ weights)))
        gradient = design.T @ (p - y) / len(y) + 1e-3 * np.r_[weights[:-1], 0.0]
        weights -= rate * gradient
    return weights[:-1]


def curve(scores: np.ndarray, labels: np.ndarray, *, step: float = 0.05) -> list[dict]:
    positives = max(1.0, labels.sum())
    points = []
    for threshold in np.round(np.arange(0.0, 1.0001, step), 3):
        chosen = scores >= threshold
        kept = labels[chosen].sum()
        points.append(
            {
                "threshold": float(threshold),
                "precision": round(float(kept / chosen.sum()), 4) if chosen.any() else None,
                "recall": round(float(kept / positives), 4),
                "above": int(chosen.sum()),
            }
        )
    return points


def thresholds(
    scores: np.ndarray, labels: np.ndarray, *, target_precision: float, max_recall_loss: float
) -> tuple[float, float]:
    # Rounded down to the stored precision: a threshold rounded up past a score would
    # leave that score out of its own threshold (0.8075 → 0.808).
    candidates = np.unique(np.floor(np.round(scores * 1000, 6)) / 1000)
    accept = 1.0
    for value in candidates:  # ascending: the lowest threshold reaching the precision
        chosen = scores >= value
        if chosen.any() and labels[chosen].mean() >= target_precision:
            accept = float(value)
            break
    positives = labels.sum()
    reject = 0.0
    for value in candidates:
        lost = labels[scores < value].sum() / positives if positives else 0.0
        if lost <= max_recall_loss:
            reject = float(value)
        else:
            break
    return accept, min(reject, accept)


def sources_with_decisions() -> list[str]:
    """The sources whose entries carry human decisions, by slug."""
    return sorted(
        CigarCustomsMatch.objects.filter(
            status__in=[MatchStatus.HUMAN_ACCEPTED, MatchStatus.HUMAN_REJECTED]
        )
        .order_by()  # the model's ordering would make DISTINCT see every row
        .values_list("price_entry__publication__source__slug", flat=True)
        .distinct()
    )


def calibration_fit(
    *,
    target_precision: float = 0.995,
    max_recall_loss: float = 0.02,
    min_decisions_for_weights: int = MIN_DECISIONS_FOR_WEIGHTS,
    store: bool = True,
    source_slug: str | None = None,
) -> CalibrationResult:
    """Fit on the decisions of one source (``source_slug``) or of every source; stored for
    that source (or for all), it replaces the source's review-budget floor."""
    if not 0.5 <= target_precision <= 1.0:
        raise ValidationError("The target precision must be between 0.5 and 1.")
    labels, features, penalties = _decisions(source_slug)
    positives = int(labels.sum())
    where = f" for {source_slug}" if source_slug else ""
    if len(labels) < MIN_DECISIONS or positives == 0 or positives == len(labels):
        raise ValidationError(
            f"Calibration needs at least {MIN_DECISIONS} human decisions with both accepted "
            f"and rejected pairs{where}; there are {len(labels)} ({positives} accepted)."
        )
    config = current_config(source_slug)
    weights = dict(config.weights)
    fitted = False
    negatives = len(labels) - positives
    if len(labels) >= min_decisions_for_weights and min(positives, negatives) >= 30:
        coefficients = np.clip(fit_logistic(features, labels), 0.0, None)
        if coefficients.sum() > 0:
            weights = {
                n: round(float(c / coefficients.sum()), 4)
                for n, c in zip(SIGNAL_NAMES, coefficients, strict=True)
            }
            fitted = True
    vector = np.asarray([weights[n] for n in SIGNAL_NAMES])
    scores = np.clip(features @ vector - penalties, 0.0, 1.0)
    accept, reject = thresholds(
        scores, labels, target_precision=target_precision, max_recall_loss=max_recall_loss
    )
    result = CalibrationResult(
        accept_threshold=accept,
        reject_threshold=reject,
        weights=weights,
        weights_fitted=fitted,
        decisions=len(labels),
        positives=positives,
        curve=curve(scores, labels),
    )
    if store:
        result.calibration_id = _store(result, target_precision, source_slug or "").pk
    return result


@transaction.atomic
def _store(
    result: CalibrationResult, target_precision: float, source_slug: str
) -> MatchingCalibration:
    return MatchingCalibration.objects.create(
        source_slug=source_slug,
        method=CalibrationMethod.DECISIONS,
        accept_threshold=Decimal(str(round(result.accept_threshold, 3))),
        reject_threshold=Decimal(str(round(result.reject_threshold, 3))),
        weights=result.weights,
        target_precision=Decimal(str(round(target_precision, 4))),
        decisions=result.decisions,
        figures={
            "curve": result.curve,
            "positives": result.positives,
            "weights_fitted": result.weights_fitted,
        },
    )
