"""Merchant crawling: the shops, their crawl runs, the crawl frontier, and what was seen.

- ``Merchant``: a shop operators register in the admin — where products are discovered
  (sitemaps, listing pages and their next-page rule), optional per-site selectors, the
  crawl rate, and whether it is crawled on schedule.
- ``CrawlRun``: one crawl of one merchant, with its counts (the summary in the admin).
- ``CrawlUrl``: the frontier of a run, in the database, so that an interrupted crawl
  resumes where it stopped and a URL is fetched at most once per run; it also keeps the
  validators (ETag, Last-Modified) that make the next run's GET conditional.
- ``MerchantProduct``: a product page of a merchant: a cigar resolved to the catalogue (so
  that a re-crawl updates the same cigar and a page that disappears marks its packages
  unavailable), or a sampler / accessory kept out of the cigar catalogue.
- ``MerchantOffer``: every offer of a product page (pack, price, availability, sku or URL)
  and the source that stated it; an offer whose pack the page does not state is kept
  here with ``pack_size`` NULL and never becomes a catalogue package.
- ``CrawlHost``: when a host may next be contacted (the per-host rate limit, shared by
  every process).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower

from cigarspace.models import TimeStampedModel
from merchants.extraction.records import OfferSource, ProductKind


class Merchant(TimeStampedModel):
    name = models.CharField(
        max_length=120, help_text="Shown on the packages it prices (cigar_package.merchant)."
    )
    slug = models.SlugField(max_length=60, unique=True, help_text="Used by `crawl SLUG`.")
    base_url = models.URLField(
        max_length=500, help_text="The shop's root; only URLs on this host are crawled."
    )
    country = models.CharField(max_length=64, blank=True)
    currency = models.CharField(
        max_length=3,
        default="EUR",
        validators=[RegexValidator(r"^[A-Z]{3}$", "An ISO 4217 code such as EUR.")],
        help_text="Assumed when a page states a price without a currency.",
    )
    adapter = models.CharField(
        max_length=64, default="schema_org", help_text="Extractor adapter (merchants.adapters)."
    )
    sitemap_urls = models.JSONField(
        default=list,
        blank=True,
        help_text="Sitemap (or sitemap index) URLs. Empty with no listing pages: the "
        "sitemaps that robots.txt announces.",
    )
    product_url_pattern = models.CharField(
        max_length=300,
        blank=True,
        help_text="A regular expression; sitemap URLs that do not match it are not products.",
    )
    listing_urls = models.JSONField(
        default=list, blank=True, help_text="First pages of product listings."
    )
    product_link_selector = models.CharField(
        max_length=300,
        blank=True,
        default="a[itemprop=url], a.product-link",
        help_text="CSS (or `xpath:…`) selecting product links on a listing page.",
    )
    next_page_selector = models.CharField(
        max_length=300,
        blank=True,
        default="a[rel~=next], link[rel~=next]",
        help_text="CSS (or `xpath:…`) selecting the listing's next-page link.",
    )
    selectors = models.JSONField(
        default=dict,
        blank=True,
        help_text='Per-site field selectors, e.g. {"name": "h1", "dimensions": '
        '"xpath://dt[.=\'Dimensions\']/following-sibling::dd[1]", "variants": '
        '{"row": "table.formats tr", "label": "td.format", "price": "td.prix"}}.',
    )
    crawl_delay_seconds = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(Decimal("0.00")), MaxValueValidator(Decimal("3600"))],
        help_text="Minimum time between two requests to the shop (robots.txt may ask more).",
    )
    max_pages = models.PositiveIntegerField(
        default=5000, help_text="Most pages one run may fetch (a runaway listing stops here)."
    )
    max_page_bytes = models.PositiveIntegerField(
        default=3 * 1024 * 1024,
        validators=[MinValueValidator(1024), MaxValueValidator(50 * 1024 * 1024)],
        help_text="Largest page accepted; bigger ones are refused while downloading.",
    )
    max_images_per_product = models.PositiveSmallIntegerField(default=4)
    crawl_every_hours = models.PositiveIntegerField(
        default=24, validators=[MinValueValidator(1)], help_text="Schedule of enabled merchants."
    )
    enabled = models.BooleanField(default=True)
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "merchant"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="merchant_name_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="merchant_currency_iso"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    # Stopped by --limit or the page budget with work left: `crawl --resume` continues it.
    INCOMPLETE = "incomplete", "Incomplete (resumable)"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed (resumable)"


RESUMABLE_STATUSES = (RunStatus.RUNNING, RunStatus.INCOMPLETE, RunStatus.FAILED)


class CrawlRun(models.Model):
    Status = RunStatus

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    trigger = models.CharField(max_length=16, default="command")
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    resumed_count = models.PositiveIntegerField(default=0)
    pages_fetched = models.PositiveIntegerField(default=0)
    pages_not_modified = models.PositiveIntegerField(default=0)
    products_created = models.PositiveIntegerField(default=0)
    products_updated = models.PositiveIntegerField(default=0)
    products_unchanged = models.PositiveIntegerField(default=0)
    cigars_created = models.PositiveIntegerField(default=0)
    packages_unavailable = models.PositiveIntegerField(default=0)
    images_added = models.PositiveIntegerField(default=0)
    blocked_by_robots = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        db_table = "merchant_crawl_run"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RunStatus.values), name="crawl_run_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant} run {self.pk} ({self.status})"

    def summary(self) -> str:
        return (
            f"{self.pages_fetched} pages ({self.pages_not_modified} not modified), products "
            f"{self.products_created} created / {self.products_updated} updated / "
            f"{self.products_unchanged} unchanged, {self.cigars_created} new cigars to review, "
            f"{self.packages_unavailable} packages unavailable, {self.images_added} images, "
            f"{self.blocked_by_robots} blocked by robots.txt, {self.errors} errors"
        )


class UrlKind(models.TextChoices):
    SITEMAP = "sitemap", "Sitemap"
    LISTING = "listing", "Listing page"
    PRODUCT = "product", "Product page"


class UrlState(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_MODIFIED = "not_modified", "Not modified"
    GONE = "gone", "Gone (404/410)"
    BLOCKED = "blocked", "Disallowed by robots.txt"
    FAILED = "failed", "Failed"


FINAL_STATES = (
    UrlState.DONE,
    UrlState.NOT_MODIFIED,
    UrlState.GONE,
    UrlState.BLOCKED,
    UrlState.FAILED,
)


class CrawlUrl(models.Model):
    """One URL of a run's frontier; unique per run, so nothing is queued (or fetched) twice."""

    Kind = UrlKind
    State = UrlState

    run = models.ForeignKey(CrawlRun, on_delete=models.CASCADE, related_name="urls")
    url = models.CharField(max_length=2000)
    kind = models.CharField(max_length=8, choices=UrlKind.choices)
    state = models.CharField(max_length=12, choices=UrlState.choices, default=UrlState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    discovered_from = models.CharField(max_length=2000, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "merchant_crawl_url"
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "url"], name="crawl_url_once_per_run"),
            models.CheckConstraint(
                condition=models.Q(kind__in=UrlKind.values), name="crawl_url_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=UrlState.values), name="crawl_url_state_valid"
            ),
        ]
        indexes = [
            # The worker's "next pending URL of this run" query.
            models.Index(
                fields=["run", "id"],
                condition=models.Q(state="pending"),
                name="crawl_url_pending_idx",
            ),
            # Validators of the previous runs for the conditional GET.
            models.Index(fields=["url", "-fetched_at"], name="crawl_url_url_fetched_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.url} ({self.state})"


class MerchantProduct(TimeStampedModel):
    """A merchant's product page: a cigar (resolved to the catalogue), or a sampler or an
    accessory (no cigar: kept out of the catalogue)."""

    Kind = ProductKind

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="products")
    url = models.CharField(max_length=1000)
    kind = models.CharField(max_length=16, choices=ProductKind.CHOICES, default=ProductKind.CIGAR)
    cigar = models.ForeignKey(
        "catalogue.Cigar",
        on_delete=models.CASCADE,
        related_name="merchant_products",
        null=True,
        blank=True,
    )
    name = models.CharField(max_length=400)
    brand = models.CharField(max_length=120, blank=True)
    # The line the shop's brand field named ("Montecristo Open" → "Open").
    line = models.CharField(max_length=120, blank=True)
    sku = models.CharField(max_length=120, blank=True)
    gtin = models.CharField(max_length=32, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    resolution = models.CharField(
        max_length=16,
        choices=[
            ("matched", "Matched"),
            ("created", "Created (needs review)"),
            ("not_a_cigar", "Not a cigar"),
        ],
        default="matched",
    )
    resolution_note = models.CharField(max_length=500, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    gone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "merchant_product"
        ordering = ["merchant", "url"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "url"], name="merchant_product_url_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k for k, _ in ProductKind.CHOICES]),
                name="merchant_product_kind_valid",
            ),
            # A cigar page always names its cigar; samplers and accessories never do.
            models.CheckConstraint(
                condition=models.Q(kind=ProductKind.CIGAR, cigar__isnull=False)
                | (~models.Q(kind=ProductKind.CIGAR) & models.Q(cigar__isnull=True)),
                name="merchant_product_cigar_iff_kind_cigar",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant}: {self.name}"


class MerchantOffer(models.Model):
    """One offer of a product page, as the page states it, with where it was read."""

    Source = OfferSource

    product = models.ForeignKey(MerchantProduct, on_delete=models.CASCADE, related_name="offers")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=255, blank=True)
    # NULL: the page does not say how many cigars this price buys.
    pack_size = models.PositiveIntegerField(null=True, blank=True)
    packaging = models.CharField(max_length=16, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    # NULL: the page states no availability for it.
    is_available = models.BooleanField(null=True, blank=True)
    sku = models.CharField(max_length=120, blank=True)
    url = models.CharField(max_length=1000, blank=True)
    source = models.CharField(max_length=16, choices=OfferSource.CHOICES)
    # The catalogue package it priced (cigars with a known pack only).
    package = models.ForeignKey(
        "catalogue.CigarPackage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merchant_offers",
    )
    observed_at = models.DateTimeField()

    class Meta:
        db_table = "merchant_offer"
        ordering = ["product", "position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pack_size__isnull=True) | models.Q(pack_size__gt=0),
                name="merchant_offer_pack_size_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=[k for k, _ in OfferSource.CHOICES]),
                name="merchant_offer_source_valid",
            ),
        ]

    def __str__(self) -> str:
        pack = (
            f"{self.packaging or 'pack'} of {self.pack_size}" if self.pack_size else "pack unknown"
        )
        return f"{pack}: {self.price or '?'} {self.currency}".strip()


class MerchantPackage(models.Model):
    """A catalogue package this merchant prices: how merchants finds its packages by id.

    ``CigarPackage.merchant`` is only the label the catalogue shows (the shop's name); the
    merchant's packages are joined through this table, so nothing depends on that label
    (a rename relabels exactly these rows).
    """

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="packages")
    package = models.OneToOneField(
        "catalogue.CigarPackage", on_delete=models.CASCADE, related_name="merchant_link"
    )

    class Meta:
        db_table = "merchant_package"

    def __str__(self) -> str:
        return f"{self.merchant}: package {self.package_id}"


class CrawlHost(models.Model):
    """The per-host politeness clock: no request to ``host`` before ``next_allowed_at``."""

    host = models.CharField(max_length=300, unique=True)
    next_allowed_at = models.DateTimeField(null=True, blank=True)
    last_request_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "merchant_crawl_host"
        ordering = ["host"]

    def __str__(self) -> str:
        return self.host
