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
        verbose_name_plural = "cigar customs matches"
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


class CalibrationMethod(models.TextChoices):
    DECISIONS = "decisions", "Fitted on human decisions"
    BUDGET = "budget", "Review budget of a first edition"


class MatchingCalibration(models.Model):
    """Thresholds (and weights) of the matcher, per source.

    Two kinds: ``budget`` rows are written by the first large run of a source with no
    decisions yet (the review floor that fills the review budget, kept so that later
    editions are judged alike); ``decisions`` rows are fitted on human decisions by
    ``calibrate_matching``. The newest row of the entry's source wins, then the newest
    row for all sources (blank ``source_slug``); settings hold the defaults. Rows are
    kept so that a change of figures can be traced.
    """

    accept_threshold = models.DecimalField(max_digits=4, decimal_places=3)
    reject_threshold = models.DecimalField(max_digits=4, decimal_places=3)
    weights = models.JSONField(default=dict, blank=True, help_text="Signal → weight (sum 1).")
    target_precision = models.DecimalField(max_digits=5, decimal_places=4)
    decisions = models.PositiveIntegerField(help_text="Human decisions the fit used.")
    figures = models.JSONField(default=dict, blank=True, help_text="Precision/recall curve.")
    source_slug = models.CharField(
        max_length=64, blank=True, default="", help_text="Blank: every source."
    )
    method = models.CharField(
        max_length=16, choices=CalibrationMethod.choices, default=CalibrationMethod.DECISIONS
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "matching_calibration"
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]
        constraints = [
            # A budget's review floor may lie above the accept threshold: pairs with
            # unexplained words score high yet are never auto-accepted, and the budget
            # still caps how many of them go to review.
            models.CheckConstraint(
                condition=models.Q(
                    reject_threshold__gte=Decimal("0"),
                    reject_threshold__lte=Decimal("1"),
                    accept_threshold__lte=Decimal("1"),
                )
                & (
                    models.Q(method="budget")
                    | models.Q(reject_threshold__lte=models.F("accept_threshold"))
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


class VocabularyKind(models.TextChoices):
    LABEL_WORD = "label_word", "Word labels carry that records omit"
    RECORD_WORD = "record_word", "Word records carry that labels omit"
    BRAND_SPELLING = "brand_spelling", "Brand spelling (learned alias)"


class VocabularyStatus(models.TextChoices):
    LEARNING = "learning", "Learning (not enough decisions yet)"
    LEARNED = "learned", "Learned: costs nothing"
    SEPARATING = "separating", "Separating: evidence of another product"
    REVERTED = "reverted", "Reverted by an operator"


class LearnedVocabulary(TimeStampedModel):
    """What reviewers' decisions taught about a brand's labels, beyond the exact label.

    Every accepted pair whose label and record differed only by unexplained words (a line
    name the catalogue omits, an origin, a presentation word) confirms those words for the
    brand; every rejected pair whose only differences were such words counts against them.
    Enough confirmations and the word stops costing (``learned``); more rejections than
    confirmations and it separates products (``separating``). A brand spelling that
    decisions confirmed (a brand's first word, an abbreviation) becomes a brand alias.

    Attributed (``VocabularyEvidence`` lists the decisions) and reversible: an operator's
    revert sets ``reverted`` and the matcher ignores the row from its next run on.
    """

    brand = models.ForeignKey(
        "catalogue.Brand", on_delete=models.PROTECT, related_name="learned_vocabulary"
    )
    kind = models.CharField(max_length=16, choices=VocabularyKind.choices)
    #: A folded token ("nicaragua", "1875") or, for a brand spelling, folded tokens.
    term = models.CharField(max_length=120)
    confirmations = models.PositiveIntegerField(default=0)
    rejections = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=16, choices=VocabularyStatus.choices, default=VocabularyStatus.LEARNING
    )
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reverted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "matching_learned_vocabulary"
        ordering = ["brand_id", "kind", "term"]
        verbose_name_plural = "learned vocabulary"
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "kind", "term"], name="learned_vocabulary_unique_term"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=VocabularyKind.values),
                name="learned_vocabulary_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=VocabularyStatus.values),
                name="learned_vocabulary_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand_id}: {self.kind} {self.term!r} ({self.status})"


class VocabularyEvidence(models.Model):
    """Append-only: one decision that confirmed (or counted against) a learned term."""

    vocabulary = models.ForeignKey(
        LearnedVocabulary, on_delete=models.PROTECT, related_name="evidence"
    )
    confirms = models.BooleanField(help_text="An acceptance (true) or a rejection (false).")
    match = models.ForeignKey(
        CigarCustomsMatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    label = models.CharField(max_length=500, help_text="The label as the reviewer saw it.")
    cigar_name = models.CharField(max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "matching_vocabulary_evidence"
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "vocabulary evidence"

    def __str__(self) -> str:
        verdict = "confirms" if self.confirms else "counts against"
        return f"{self.label!r} {verdict} {self.vocabulary_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("vocabulary evidence rows are append-only.")
        super().save(*args, **kwargs)


class ReviewGroupMember(models.Model):
    """The review group of a pending entry: one queue item per product, not per line.

    Entries of one source whose labels name the same product — the same brand, name words
    and edition words once pack size, packaging and presentation words are set aside —
    share a ``group_key``, across editions (``matching.services.groups``). Derived data,
    recomputed whenever it is missing or its label changed; a split (``ReviewGroupSplit``)
    gives a label a key of its own.
    """

    price_entry = models.OneToOneField(
        "customs.CustomsPriceEntry",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="review_group",
    )
    source_slug = models.CharField(max_length=64)
    group_key = models.CharField(max_length=600)
    #: The brand as the label names it (a catalogue brand's id, else its first word).
    brand_key = models.CharField(max_length=120, db_index=True)
    brand_name = models.CharField(max_length=120, blank=True)
    #: The entry's ``normalised_label`` when the key was computed (stale keys are redone).
    label_key = models.CharField(max_length=500)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "matching_review_group_member"
        indexes = [
            models.Index(fields=["source_slug", "group_key"], name="review_group_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.price_entry_id}: {self.group_key}"


class ReviewGroupSplit(models.Model):
    """An operator's word that a label is a product of its own, not of its group.

    Kept per source and normalised label (so later editions of the label stay apart too);
    never deleted by the code: it is an operator's decision.
    """

    source_slug = models.CharField(max_length=64)
    normalised_label = models.CharField(max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "matching_review_group_split"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_slug", "normalised_label"], name="review_group_split_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_slug}: {self.normalised_label!r} split off"


class ReviewTiming(models.Model):
    """How long a reviewer looked at an item before deciding, as the browser measured it.

    The review page stamps the moment it is ready and sends the milliseconds to the
    decision with the form; the dashboard's median seconds per decision (and per line:
    a group decision settles several) come from these rows. Append-only figures, no link
    that would keep an entry or a user from being handled elsewhere.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entry_id = models.BigIntegerField()
    action = models.CharField(max_length=32)
    lines = models.PositiveIntegerField(default=1, help_text="Entries the decision settled.")
    seconds = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "matching_review_timing"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seconds__gte=0), name="review_timing_seconds_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} of entry {self.entry_id}: {self.seconds:.1f}s"
