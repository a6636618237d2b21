"""``manage.py calibrate_matching [--source SLUG] [--all-sources]``: thresholds from decisions.

Per source by default: every source with human decisions gets its own thresholds (a
source's labels and its review history differ from another's), printed with their
precision/recall curve. ``--all-sources`` fits one set on every decision instead.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from matching.services.calibration import (
    CalibrationResult,
    calibration_fit,
    sources_with_decisions,
)


class Command(BaseCommand):
    help = (
        "Fit the auto-accept and auto-reject thresholds (and the weights, once there are "
        "enough decisions) on HUMAN_* matches, per source; print the precision/recall "
        "curve; store them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--target-precision", type=float, default=0.995)
        parser.add_argument("--max-recall-loss", type=float, default=0.02)
        parser.add_argument("--source", help="Fit this source only (its slug).")
        parser.add_argument(
            "--all-sources", action="store_true", help="One fit on every source's decisions."
        )
        parser.add_argument("--dry-run", action="store_true", help="Print, do not store.")

    def handle(
        self, *args, target_precision, max_recall_loss, source, all_sources, dry_run, **options
    ) -> None:
        if all_sources:
            scopes: list[str | None] = [None]
        elif source:
            scopes = [source]
        else:
            scopes = list(sources_with_decisions()) or [None]
        failures = []
        for scope in scopes:
            try:
                result = calibration_fit(
                    target_precision=target_precision,
                    max_recall_loss=max_recall_loss,
                    store=not dry_run,
                    source_slug=scope,
                )
            except ValidationError as exc:
                failures.append(" ".join(exc.messages))
                self.stderr.write(" ".join(exc.messages))
                continue
            self._print(scope, result, dry_run=dry_run)
        if failures and len(failures) == len(scopes):
            raise CommandError(failures[0])

    def _print(self, scope: str | None, result: CalibrationResult, *, dry_run: bool) -> None:
        self.stdout.write(f"\n{scope or 'every source'}")
        self.stdout.write("threshold  precision  recall  above")
        for point in result.curve:
            precision = "-" if point["precision"] is None else f"{point['precision']:.4f}"
            self.stdout.write(
                f"{point['threshold']:9.2f}  {precision:>9}  {point['recall']:6.4f}  "
                f"{point['above']:5d}"
            )
        weights = ", ".join(f"{k}={v:.3f}" for k, v in result.weights.items())
        how = "fitted" if result.weights_fitted else "kept"
        self.stdout.write(
            f"{result.decisions} decisions ({result.positives} accepted). "
            f"AUTO_ACCEPT ≥ {result.accept_threshold:.3f}, AUTO_REJECT < "
            f"{result.reject_threshold:.3f}; weights ({how}): "
            f"{weights}."
        )
        if dry_run:
            self.stdout.write("Dry run: nothing stored.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Stored calibration {result.calibration_id}."))
