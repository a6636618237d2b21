"""Links between catalogue cigars and customs price entries, and their audit trail."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from cigarspace.models import TimeStampedModel


class MatchStatus(models.TextChoices):
    AUTO_ACCEPTED = "AUTO_ACCEPTED", "Auto-accepted"
    PENDING_REVIEW = "PENDING_REVIEW", "Pending review"
    AUTO_REJECTED = "AUTO_REJECTED", "Auto-rejected"
    HUMAN_ACCEPTED = "HUMAN_ACCEPTED", "Accepted by a human"
    HUMAN_REJECTED = "HUMAN_REJECTED", "Rejected by a human"


HUMAN_STATUSES = (MatchStatus.HUMAN_ACCEPTED, MatchStatus.HUMAN_REJECTED)
ACCEPTED_STATUSES = (MatchStatus.AUTO_ACCEPTED, MatchStatus.HUMAN_ACCEPTED)


class MatchMethod(models.TextChoices):
    EXACT = "exact", "Exact name"
    ALIAS = "alias", "Learned alias"
    TRIGRAM = "trigram", "Trigram neighbour"
    VECTOR = "vector", "Vector neighbour"
    FUZZY = "fuzzy", "Fuzzy (brand-blocked)"
    HUMAN = "human", "Chosen by a human"


class CigarCustomsMatch(TimeStampedModel):
    # PROTECT, not CASCADE: a match row may carry a human decision and its events; deleting
    # a cigar or an entry must never erase them (merge a duplicate cigar instead, see
    # matching.services.merge). The database's foreign keys refuse a raw DELETE as well
    # (Django creates them without ON DELETE, i.e. NO ACTION).
    cigar = models.ForeignKey(
        "catalogue.Cigar", on_delete=models.PROTECT, related_name="customs_matches"
    )
    price_entry = models.ForeignKey(
        "customs.CustomsPriceEntry", on_delete=models.PROTECT, related_name="matches"
    )
    match_method = models.CharField(max_length=16, choices=MatchMethod.choices)
    score = models.DecimalField(max_digits=4, decimal_places=3)
    signals = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=MatchStatus.choices)
    rank = models.PositiveSmallIntegerField(default=1, help_text="1 = the entry's best candidate.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="match_decisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        db_table = "cigar_customs_match"
        ordering = ["price_entry", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["cigar", "price_entry"], name="cigar_customs_match_pair_unique"
            ),
            # One label names one product: at most one accepted cigar per entry.
            models.UniqueConstraint(
                fields=["price_entry"],
                condition=models.Q(status__in=[s.value for s in ACCEPTED_STATUSES]),
                name="cigar_customs_match_one_accepted_per_entry",
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=Decimal("0"), score__lte=Decimal("1")),
                name="cigar_customs_match_score_range",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=MatchStatus.values),
                name="cigar_customs_match_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(match_method__in=MatchMethod.values),
                name="cigar_customs_match_method_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(rank__gte=1), name="cigar_customs_match_rank_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-score"], name="ccm_status_score_idx"),
        ]
        permissions = [("review_match", "Can review matches (accept, reject, re-point)")]

    def __str__(self) -> str:
        return f"{self.price_entry_id} → {self.cigar_id} ({self.status}, {self.score})"


class MatchEvent(models.Model):
    """Append-only audit of every status change of a match."""

    # The audit outlives nothing it describes: a match with events cannot be deleted.
    match = models.ForeignKey(CigarCustomsMatch, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(max_length=16, choices=MatchStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=MatchStatus.choices)
    score = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "match_event"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.match_id}: {self.from_status or '∅'} → {self.to_status}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("match_event rows are append-only.")
        super().save(*args, **kwargs)


class MatchingCalibration(models.Model):
    """Thresholds (and weights) fitted on human decisions by ``calibrate_matching``.

    The newest row is the one the engine uses; settings hold the defaults until a first
    calibration exists. Rows are kept so that a change of figures can be traced.
    """

    accept_threshold = models.DecimalField(max_digits=4, decimal_places=3)
    reject_threshold = models.DecimalField(max_digits=4, decimal_places=3)
    weights = models.JSONField(default=dict, blank=True, help_text="Signal → weight (sum 1).")
    target_precision = models.DecimalField(max_digits=5, decimal_places=4)
    decisions = models.PositiveIntegerField(help_text="Human decisions the fit used.")
    figures = models.JSONField(default=dict, blank=True, help_text="Precision/recall curve.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "matching_calibration"
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    reject_threshold__gte=Decimal("0"),
                    reject_threshold__lte=models.F("accept_threshold"),
                    accept_threshold__lte=Decimal("1"),
                ),
                name="matching_calibration_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"accept ≥ {self.accept_threshold}, reject < {self.reject_threshold}"


class MatchingRun(models.Model):
    """One run of the matcher: its scope, counts and duration."""

    scope = models.CharField(max_length=200, help_text="publication 12, source fr-…, all…")
    trigger = models.CharField(max_length=32, default="command")
    entries_seen = models.PositiveIntegerField(default=0)
    entries_scored = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True, help_text="Best candidates per status.")
    duration_seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "matching_run"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.scope}: {self.entries_scored}/{self.entries_seen}"


class EntryMatchState(models.Model):
    """What the matcher last scored for an entry, so incremental runs skip unchanged ones."""

    price_entry = models.OneToOneField(
        "customs.CustomsPriceEntry",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="match_state",
    )
    label_key = models.CharField(max_length=500)
    #: ``exact``, ``alias``, ``not_in_catalogue``, ``reopened``, ``scored``, ``no_candidate``.
    outcome = models.CharField(max_length=32)
    scored_at = models.DateTimeField()

    class Meta:
        db_table = "matching_entry_state"

    def __str__(self) -> str:
        return f"{self.price_entry_id}: {self.outcome}"
