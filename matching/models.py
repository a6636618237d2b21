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
    cigar = models.ForeignKey(
        "catalogue.Cigar", on_delete=models.CASCADE, related_name="customs_matches"
    )
    price_entry = models.ForeignKey(
        "customs.CustomsPriceEntry", on_delete=models.CASCADE, related_name="matches"
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

    match = models.ForeignKey(CigarCustomsMatch, on_delete=models.CASCADE, related_name="events")
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
