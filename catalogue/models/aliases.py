"""The label memory: a price label → a cigar (or "not in the catalogue"), and its audit."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from catalogue.models.cigars import Cigar
from cigarspace.models import TimeStampedModel


class AliasKind(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    NOT_IN_CATALOGUE = "not_in_catalogue", "Not in the catalogue"


class CigarAlias(TimeStampedModel):
    """The label memory: a normalised price-list label of a source, resolved by a human.

    ``accepted`` maps the label to a cigar (later editions match it exactly);
    ``rejected`` records that this cigar is *not* the label (never proposed again);
    ``not_in_catalogue`` records that the catalogue holds no cigar for the label.
    The source is kept as its slug: the catalogue does not depend on the customs app.
    """

    Kind = AliasKind

    source_slug = models.CharField(max_length=64)
    normalised_label = models.CharField(max_length=500)
    kind = models.CharField(max_length=16, choices=AliasKind.choices)
    # PROTECT: an alias is a human decision; a cigar that has some is merged, not deleted.
    cigar = models.ForeignKey(
        Cigar, null=True, blank=True, on_delete=models.PROTECT, related_name="aliases"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(blank=True)

    class Meta:
        db_table = "cigar_alias"
        verbose_name_plural = "cigar aliases"
        ordering = ["source_slug", "normalised_label"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["accepted", "rejected"], cigar__isnull=False)
                | models.Q(kind="not_in_catalogue", cigar__isnull=True),
                name="cigar_alias_kind_matches_cigar",
            ),
            # A label resolves one way at a time: one accepted cigar or "not in catalogue".
            models.UniqueConstraint(
                fields=["source_slug", "normalised_label"],
                condition=models.Q(kind__in=["accepted", "not_in_catalogue"]),
                name="cigar_alias_one_resolution_per_label",
            ),
            models.UniqueConstraint(
                fields=["source_slug", "normalised_label", "cigar"],
                condition=models.Q(kind="rejected"),
                name="cigar_alias_rejected_pair_unique",
            ),
        ]
        indexes = [models.Index(fields=["normalised_label"], name="cigar_alias_label_idx")]

    def __str__(self) -> str:
        return f"{self.normalised_label!r} → {self.cigar or self.get_kind_display()}"


class AliasAction(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"
    MERGED = "merged", "Moved by a cigar merge"


class CigarAliasEvent(models.Model):
    """Append-only audit of the alias edits made outside a match decision.

    A decision on a match already leaves a ``MatchEvent``; an alias changed by hand (the
    admin) or moved by a merge concerns a label across editions, not one match row, so it
    is recorded here: who, when, why, and the alias as it was and as it became. The rows
    copy their values (no foreign key to the alias or the cigar), so they outlive both.
    """

    Action = AliasAction

    alias_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=16, choices=AliasAction.choices)
    source_slug = models.CharField(max_length=64)
    normalised_label = models.CharField(max_length=500)
    before = models.JSONField(null=True, blank=True, help_text="The alias before the edit.")
    after = models.JSONField(null=True, blank=True, help_text="The alias after the edit.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "cigar_alias_event"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AliasAction.values),
                name="cigar_alias_event_action_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="cigar_alias_event_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.normalised_label!r} ({self.source_slug})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("cigar_alias_event rows are append-only.")
        super().save(*args, **kwargs)
