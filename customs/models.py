"""Official price publications: sources, publications (with their lifecycle) and entries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from pgvector.django import HnswIndex, VectorField

from cigarspace.models import TimeStampedModel


class CustomsSource(TimeStampedModel):
    """A regulatory channel, with the adapters that discover and extract its documents."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2.")
    currency = models.CharField(max_length=3, help_text="ISO 4217.")
    index_url = models.URLField(max_length=1000, blank=True)
    discovery_adapter = models.CharField(max_length=64)
    extractor_adapter = models.CharField(max_length=64)
    enabled = models.BooleanField(default=True)
    discovery_enabled = models.BooleanField(
        default=True, help_text="Off for manual channels (files imported by hand)."
    )
    carries_prices = models.BooleanField(
        default=True, help_text="Whether its documents carry per-product prices."
    )
    complete_lists = models.BooleanField(
        default=True,
        help_text=(
            "Each document is the whole list: diffed against the previous edition and "
            "checked for truncation. Off for channels that publish only changes (the "
            "Spanish BOE resolutions)."
        ),
    )
    citation = models.CharField(
        max_length=300,
        blank=True,
        help_text=(
            "Shown with this source's prices wherever they are shown or exported, when its "
            "terms of reuse ask for it; {date} becomes the date of the data."
        ),
    )
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "customs_source"
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="customs_source_country_iso"
            ),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"),
                name="customs_source_currency_iso",
            ),
        ]

    def __str__(self) -> str:
        return self.slug


class PublicationStatus(models.TextChoices):
    DISCOVERED = "discovered", "Discovered"
    FETCHED = "fetched", "Fetched"
    PARSED = "parsed", "Parsed"
    INGESTED = "ingested", "Ingested"
    FAILED = "failed", "Failed"


class PublicationStage(models.TextChoices):
    """The stage a failed publication stopped in; ``retry`` resumes from it."""

    DISCOVER = "discover", "Discover"
    FETCH = "fetch", "Fetch"
    PARSE = "parse", "Parse"
    INGEST = "ingest", "Ingest"


class CustomsPublication(TimeStampedModel):
    source = models.ForeignKey(CustomsSource, on_delete=models.PROTECT, related_name="publications")
    external_id = models.CharField(
        max_length=500, help_text="File URL, NOR, JORFTEXT id… unique within the source."
    )
    title = models.CharField(max_length=500, blank=True)
    arrete_date = models.DateField(null=True, blank=True)
    effective_date = models.DateField(null=True, blank=True, db_index=True)
    zone = models.CharField(
        max_length=32,
        blank=True,
        help_text=(
            "The price zone of a list that has several (Spain: peninsula, ceuta-melilla); "
            "editions are diffed within their zone. Blank: the country's one list."
        ),
    )
    url = models.URLField(max_length=2000, blank=True)
    status = models.CharField(
        max_length=16, choices=PublicationStatus.choices, default=PublicationStatus.DISCOVERED
    )
    failed_stage = models.CharField(max_length=16, choices=PublicationStage.choices, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # NULL until fetched, so the per-source unique index ignores unfetched rows.
    content_hash = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, help_text="BLAKE3."
    )
    raw_blob = models.ForeignKey(
        "media.MediaBlob", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        help_text="The publication with identical bytes (e.g. a site's `_0` copy).",
    )
    metadata = models.JSONField(
        default=dict, blank=True, help_text="NOR, JORFTEXT id, ELI, JO number, PDF twin…"
    )
    discovered_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    parsed_at = models.DateTimeField(null=True, blank=True)
    ingested_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    entry_count = models.PositiveIntegerField(default=0)
    claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A worker runs a stage until then; others leave the publication alone.",
    )

    class Meta:
        db_table = "customs_publication"
        ordering = ["-effective_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="customs_publication_source_external_id"
            ),
            # Identical bytes are ingested once per source: copies point to the original.
            models.UniqueConstraint(
                fields=["source", "content_hash"],
                condition=models.Q(content_hash__isnull=False, duplicate_of__isnull=True),
                name="customs_publication_unique_content",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=PublicationStatus.values),
                name="customs_publication_status_valid",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status=PublicationStatus.FAILED)
                    & models.Q(failed_stage__in=PublicationStage.values)
                )
                | (~models.Q(status=PublicationStatus.FAILED) & models.Q(failed_stage="")),
                name="customs_publication_failed_has_stage",
            ),
            models.CheckConstraint(
                condition=models.Q(content_hash__isnull=True)
                | models.Q(content_hash__regex=r"^[0-9a-f]{64}$"),
                name="customs_publication_hash_is_blake3_hex",
            ),
        ]
        indexes = [models.Index(fields=["source", "status"], name="customs_pub_source_status")]

    def __str__(self) -> str:
        return self.title or self.external_id


class ChangeKind(models.TextChoices):
    NEW = "new", "New"
    CHANGED = "changed", "Changed"
    UNCHANGED = "unchanged", "Unchanged"
    RENAMED = "renamed", "Renamed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class CustomsPriceEntry(models.Model):
    """One homologated price line of a publication."""

    publication = models.ForeignKey(
        CustomsPublication, on_delete=models.CASCADE, related_name="entries"
    )
    row_number = models.PositiveIntegerField(help_text="Row in the source document (0-based).")
    raw_label = models.CharField(max_length=500)
    new_label = models.CharField(max_length=500, blank=True, help_text="Rename (column 1).")
    category = models.CharField(max_length=200)
    supplier = models.CharField(max_length=200, blank=True)
    maker = models.CharField(max_length=200, blank=True)
    normalised_label = models.CharField(max_length=500, db_index=True)
    brand_guess = models.CharField(max_length=120, blank=True)
    pack_size = models.PositiveIntegerField(null=True, blank=True)
    packaging = models.CharField(max_length=200, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    pack_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    old_unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    old_pack_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    surcharge_unit_price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Per cigar at outlets allowed a surcharge (Spain's « recargo » column).",
    )
    surcharge_pack_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    zone = models.CharField(
        max_length=32, blank=True, help_text="The price zone of this line (blank: the only one)."
    )
    unit_price_computed = models.BooleanField(default=False)
    price_mismatch = models.BooleanField(
        default=False, help_text="unit x pack size differs from the pack price."
    )
    is_withdrawn = models.BooleanField(default=False)
    currency_code = models.CharField(max_length=3)
    tax_class = models.CharField(max_length=64, blank=True)
    change_kind = models.CharField(max_length=16, choices=ChangeKind.choices, blank=True)
    parsed = models.JSONField(
        default=dict, blank=True, help_text="Edition words, dimension hints, packaging attributes…"
    )
    embedding = VectorField(dimensions=settings.EMBEDDING_DIMENSIONS, null=True, blank=True)
    embedding_model = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "customs_price_entry"
        verbose_name_plural = "customs price entries"
        ordering = ["publication", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "row_number"], name="customs_price_entry_row_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(pack_size__isnull=True) | models.Q(pack_size__gt=0),
                name="customs_price_entry_pack_size_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(currency_code__regex=r"^[A-Z]{3}$"),
                name="customs_price_entry_currency_iso",
            ),
            models.CheckConstraint(
                condition=(models.Q(unit_price__isnull=True) | models.Q(unit_price__gte=0))
                & (models.Q(pack_price__isnull=True) | models.Q(pack_price__gte=0)),
                name="customs_price_entry_prices_non_negative",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(surcharge_unit_price__isnull=True)
                    | models.Q(surcharge_unit_price__gte=0)
                )
                & (
                    models.Q(surcharge_pack_price__isnull=True)
                    | models.Q(surcharge_pack_price__gte=0)
                ),
                name="customs_price_entry_surcharge_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(change_kind__in=[*ChangeKind.values, ""]),
                name="customs_price_entry_change_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(embedding__isnull=True) | ~models.Q(embedding_model=""),
                name="customs_price_entry_embedding_has_model",
            ),
        ]
        indexes = [
            HnswIndex(
                name="customs_entry_embedding_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.raw_label


class CustomsFetch(models.Model):
    """Provenance of one network fetch: what was asked, what came back, by which adapter."""

    source = models.ForeignKey(
        CustomsSource, on_delete=models.CASCADE, related_name="fetches", null=True, blank=True
    )
    publication = models.ForeignKey(
        CustomsPublication,
        on_delete=models.CASCADE,
        related_name="fetches",
        null=True,
        blank=True,
    )
    purpose = models.CharField(max_length=32, help_text="index, document, search, token…")
    method = models.CharField(max_length=8, default="GET")
    url = models.URLField(max_length=2000)
    final_url = models.URLField(max_length=2000, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    size = models.BigIntegerField(default=0)
    digest = models.CharField(max_length=64, blank=True, help_text="BLAKE3 of the body.")
    content_type = models.CharField(max_length=200, blank=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    not_modified = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    elapsed_seconds = models.FloatField(default=0)
    adapter = models.CharField(max_length=64)
    adapter_version = models.CharField(max_length=32)
    error = models.TextField(blank=True)
    fetched_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "customs_fetch"
        verbose_name_plural = "customs fetches"
        ordering = ["-fetched_at"]
        indexes = [
            models.Index(fields=["source", "purpose", "-fetched_at"], name="customs_fetch_recent")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.url} → {self.http_status or self.error[:40]}"


class RunKind(models.TextChoices):
    DISCOVER = "discover", "Discover"
    INGEST = "ingest", "Ingest"
    RETRY = "retry", "Retry"
    INGEST_FILE = "ingest_file", "Ingest a file"


class RunOutcome(models.TextChoices):
    RUNNING = "running", "Running"
    OK = "ok", "OK"
    FAILED = "failed", "Failed"
    NOT_CONFIGURED = "not_configured", "Not configured"


class CustomsRun(models.Model):
    """One run of discovery or ingestion, whoever started it (command, task, admin)."""

    kind = models.CharField(max_length=16, choices=RunKind.choices)
    source = models.ForeignKey(
        CustomsSource, on_delete=models.CASCADE, related_name="runs", null=True, blank=True
    )
    publication = models.ForeignKey(
        CustomsPublication, on_delete=models.SET_NULL, related_name="runs", null=True, blank=True
    )
    trigger = models.CharField(max_length=32, default="command", help_text="command, task, admin…")
    outcome = models.CharField(
        max_length=16, choices=RunOutcome.choices, default=RunOutcome.RUNNING
    )
    message = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "customs_run"
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=RunOutcome.values), name="customs_run_outcome_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=RunKind.values), name="customs_run_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source or ''} {self.outcome}"
