"""Price watch: watchlists, the events an edition raises for them, suspect changes held
for review, and the deliveries (webhooks, e-mail digests) that tell people.

Events are rows, unique per (watchlist, entry, kind) — or (watchlist, publication, kind)
for "a new edition" — so that recomputing an edition, or a retried task, never notifies
twice. Deliveries are unique per (endpoint, event) for the same reason; each HTTP attempt
is logged.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q


def new_feed_token() -> str:
    # 256 bits: the feed URL is the only credential a feed reader sends.
    return secrets.token_urlsafe(32)


class Language(models.TextChoices):
    EN = "en", "English"
    FR = "fr", "Français"


class WatchScope(models.TextChoices):
    CIGAR = "cigar", "Cigar"
    LINE = "line", "Line"
    BRAND = "brand", "Brand"
    SOURCE = "source", "Whole source"


class Watchlist(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watchlists"
    )
    name = models.CharField(max_length=120)
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 alpha-2; blank: every country."
    )
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    email_digest = models.BooleanField(
        default=True, help_text="One e-mail per edition with this watchlist's events."
    )
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "watch_watchlist"
        ordering = ["owner", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=r"^[A-Z]{2}$"),
                name="watch_watchlist_country_iso",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WatchItem(models.Model):
    """One thing a watchlist watches: a cigar, a line, a brand or a whole source."""

    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="items")
    scope = models.CharField(max_length=8, choices=WatchScope.choices)
    cigar = models.ForeignKey(
        "catalogue.Cigar", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    line = models.ForeignKey(
        "catalogue.CigarLine", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    brand = models.ForeignKey(
        "catalogue.Brand", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source = models.ForeignKey(
        "customs.CustomsSource", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "watch_item"
        ordering = ["watchlist", "scope", "pk"]
        constraints = [
            # Exactly the target its scope names.
            models.CheckConstraint(
                condition=(
                    Q(scope="cigar", cigar__isnull=False, line=None, brand=None, source=None)
                    | Q(scope="line", line__isnull=False, cigar=None, brand=None, source=None)
                    | Q(scope="brand", brand__isnull=False, cigar=None, line=None, source=None)
                    | Q(scope="source", source__isnull=False, cigar=None, line=None, brand=None)
                ),
                name="watch_item_one_target",
            ),
            models.UniqueConstraint(
                fields=["watchlist", "scope", "cigar", "line", "brand", "source"],
                nulls_distinct=False,
                name="watch_item_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["cigar"], name="watch_item_cigar"),
            models.Index(fields=["line"], name="watch_item_line"),
            models.Index(fields=["brand"], name="watch_item_brand"),
            models.Index(fields=["source"], name="watch_item_source"),
        ]

    def __str__(self) -> str:
        target = self.cigar or self.line or self.brand or self.source
        return f"{self.scope}: {target}"

    @property
    def target_id(self) -> int | None:
        return self.cigar_id or self.line_id or self.brand_id or self.source_id


class EventKind(models.TextChoices):
    PRICE_CHANGE = "price_change", "Price change"
    NEW_PRODUCT = "new_product", "New product"
    WITHDRAWN = "withdrawn", "Withdrawn"
    RENAMED = "renamed", "Renamed"
    NEW_EDITION = "new_edition", "New edition"


class HoldState(models.TextChoices):
    """Whether an event may be delivered: held while its change is suspect."""

    RELEASED = "released", "Released"
    HELD = "held", "Held (suspect change)"
    SUPPRESSED = "suppressed", "Suppressed (source error)"


class WatchEvent(models.Model):
    # A large edition writes a hundred thousand events at once: every index costs. The
    # unique index leads with the watchlist, the (publication, hold) one with the edition;
    # entries and cigars (official data, merged rather than deleted) need none.
    watchlist = models.ForeignKey(
        Watchlist, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    publication = models.ForeignKey(
        "customs.CustomsPublication",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    entry = models.ForeignKey(
        "customs.CustomsPriceEntry",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        help_text="Empty for a new edition.",
    )
    cigar = models.ForeignKey(
        "catalogue.Cigar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    hold = models.CharField(max_length=12, choices=HoldState.choices, default=HoldState.RELEASED)
    payload = models.JSONField(
        default=dict, blank=True, help_text="A new edition's facts (others: read from the entry)."
    )
    effective_date = models.DateField(null=True, blank=True)
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a digest carried it (never twice)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "watch_event"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Once per (watchlist, entry, kind) — an entry belongs to one edition — and, the
            # entry empty (NULLS NOT DISTINCT), once per (watchlist, edition, kind).
            models.UniqueConstraint(
                fields=["watchlist", "kind", "publication", "entry"],
                nulls_distinct=False,
                name="watch_event_once",
            ),
            models.CheckConstraint(
                condition=Q(hold__in=HoldState.values), name="watch_event_hold_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values), name="watch_event_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["publication", "hold"], name="watch_event_publication"),
            # Only held events are looked up by entry (a suspect change decided).
            models.Index(fields=["entry"], condition=Q(hold="held"), name="watch_event_held"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.watchlist_id} (entry {self.entry_id})"


class SuspectReason(models.TextChoices):
    RATIO = "ratio", "Ratio beyond the limit"
    PACK_IN_UNIT = "pack_in_unit", "Pack price written in the unit column"


class SuspectStatus(models.TextChoices):
    PENDING = "pending", "Held for review"
    CONFIRMED = "confirmed", "Confirmed (the change is real)"
    SOURCE_ERROR = "source_error", "Source error (previous price stays in force)"


class SuspectChange(models.Model):
    """A price change too large to announce before an operator looked at it."""

    entry = models.OneToOneField(
        "customs.CustomsPriceEntry", on_delete=models.CASCADE, related_name="suspect_change"
    )
    previous_entry = models.ForeignKey(
        "customs.CustomsPriceEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(max_length=16, choices=SuspectReason.choices)
    ratio = models.DecimalField(max_digits=12, decimal_places=4)
    old_unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    new_unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    old_pack_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    new_pack_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=SuspectStatus.choices, default=SuspectStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "watch_suspect_change"
        ordering = ["status", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SuspectStatus.values), name="watch_suspect_status_valid"
            ),
        ]
        permissions = [("decide_suspectchange", "Can confirm or reject suspect price changes")]

    def __str__(self) -> str:
        return f"entry {self.entry_id}: x{self.ratio} ({self.get_status_display()})"


class WebhookEndpoint(models.Model):
    """Where a user's events are POSTed, signed with the endpoint's own secret.

    The secret is kept as it is (HMAC needs it to sign), shown once at creation and
    never again: lists and the admin show only its first characters.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    watchlist = models.ForeignKey(
        Watchlist,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        help_text="Empty: the events of every watchlist of the owner.",
    )
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=80, editable=False)
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "watch_webhook_endpoint"
        ordering = ["owner", "pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def secret_hint(self) -> str:
        return f"{self.secret[:8]}…"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed (gave up)"


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WatchEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "watch_webhook_delivery"
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="watch_delivery_once"),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="watch_delivery_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="watch_delivery_due")]

    def __str__(self) -> str:
        return f"delivery {self.pk} of event {self.event_id} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """The delivery log: one row per POST (append-only)."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField(db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    replay = models.BooleanField(default=False, help_text="Sent again by an operator.")

    class Meta:
        db_table = "watch_webhook_attempt"
        ordering = ["-attempted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.attempted_at:%Y-%m-%d %H:%M:%S} → {self.status_code or self.error[:40]}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class EmailDigest(models.Model):
    """One e-mail per user per edition; events released later (a suspect change confirmed)
    follow in a second message. Each event is carried once (``WatchEvent.emailed_at``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watch_digests"
    )
    publication = models.ForeignKey(
        "customs.CustomsPublication", on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(max_length=2, choices=Language.choices)
    event_count = models.PositiveIntegerField(default=0)
    subject = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField()

    class Meta:
        db_table = "watch_email_digest"
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"digest of publication {self.publication_id} to {self.user_id}"
