"""``manage.py calibrate_matching [--target-precision 0.995]``: thresholds from decisions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from matching.services.calibration import calibration_fit


class Command(BaseCommand):
    help = (
        "Fit the auto-accept and auto-reject thresholds (and the weights, once there are "
        "enough decisions) on HUMAN_* matches; print the precision/recall curve; store them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--target-precision", type=float, default=0.995)
        parser.add_argument("--max-recall-loss", type=float, default=0.02)
        parser.add_argument("--dry-run", action="store_true", help="Print, do not store.")

    def handle(self, *args, target_precision, max_recall_loss, dry_run, **options) -> None:
        try:
            result = calibration_fit(
                target_precision=target_precision,
                max_recall_loss=max_recall_loss,
                store=not dry_run,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
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
