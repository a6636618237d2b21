"""Brand → line → cigar, and what belongs to a cigar: blend, packages, tasting notes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models.functions import Lower
from pgvector.django import HnswIndex, VectorField

from catalogue.naming import search_key
from cigarspace.models import TimeStampedModel


class Strength(models.TextChoices):
    MILD = "mild", "Mild"
    MILD_MEDIUM = "mild-medium", "Mild to medium"
    MEDIUM = "medium", "Medium"
    MEDIUM_FULL = "medium-full", "Medium to full"
    FULL = "full", "Full"


class Packaging(models.TextChoices):
    BOX = "box", "Box"
    TUBE = "tube", "Tube"
    TIN = "tin", "Tin"
    CABINET = "cabinet", "Cabinet"
    PACK = "pack", "Pack"
    BUNDLE = "bundle", "Bundle"
    JAR = "jar", "Jar"
    HUMIDOR = "humidor", "Humidor"
    SINGLE = "single", "Single"
    OTHER = "other", "Other"


class Brand(TimeStampedModel):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    # Other spellings suppliers use ("H.Upmann", "Romeo & Julieta"): brand guessing reads them.
    aliases = models.JSONField(default=list, blank=True)
    country = models.CharField(max_length=64, blank=True)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    image_url = models.URLField(blank=True)

    class Meta:
        db_table = "brand"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="brand_name_ci_unique"),
        ]
        indexes = [
            GinIndex(OpClass("name", name="gin_trgm_ops"), name="brand_name_trgm_gin"),
        ]

    def __str__(self) -> str:
        return self.name


class CigarLine(TimeStampedModel):
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="lines")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140)
    description = models.TextField(blank=True)

    class Meta:
        db_table = "cigar_line"
        ordering = ["brand__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "slug"], name="cigar_line_slug_unique_per_brand"
            ),
            models.UniqueConstraint(
                "brand", Lower("name"), name="cigar_line_name_ci_unique_per_brand"
            ),
        ]
        indexes = [
            GinIndex(OpClass("name", name="gin_trgm_ops"), name="cigar_line_name_trgm_gin"),
        ]

    def __str__(self) -> str:
        return f"{self.brand.name} {self.name}" if self.name != self.brand.name else self.name


# The plain columns of a cigar as lists show it (API list rows and search results, after
# its id, slug, full name, brand and line): the list serializer shows them and the list
# selector loads only them.
CIGAR_SUMMARY_COLUMNS = (
    "vitola_name",
    "vitola_de_galera",
    "length_mm",
    "ring_gauge",
    "weight_g",
    "shape",
    "strength",
    "country",
    "is_discontinued",
)


class Cigar(TimeStampedModel):
    line = models.ForeignKey(CigarLine, on_delete=models.PROTECT, related_name="cigars")
    # NULL, not "": several cigars may lack an external id under a unique constraint.
    external_id = models.CharField(
        max_length=120,
        unique=True,
        null=True,
        blank=True,
        help_text="Stable identifier from the import that created the cigar.",
    )
    vitola_name = models.CharField(max_length=160, help_text='Commercial name, e.g. "Siglo VI".')
    vitola_de_galera = models.CharField(  # noqa: DJ001  (nullable: unknown ≠ empty)
        max_length=120, null=True, blank=True, help_text='Factory name, e.g. "Cañonazo".'
    )
    full_name = models.CharField(max_length=400, editable=False)
    # full_name folded by catalogue.naming.search_key ("Siglo VI" → "siglo 6", "No.2" →
    # "no 2"): trigram search compares queries normalised the same way.
    search_name = models.CharField(max_length=400, editable=False, default="")
    # The words of search_name, kept by PostgreSQL: search tests them on every candidate
    # row, and computing to_tsvector per row cost more than the rest of the query.
    search_words = models.GeneratedField(
        expression=SearchVector("search_name", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    slug = models.SlugField(max_length=420, unique=True)
    length_mm = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    ring_gauge = models.PositiveSmallIntegerField(null=True, blank=True)
    weight_g = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    shape = models.CharField(max_length=64, blank=True)
    wrapper_origin = models.CharField(max_length=64, blank=True)
    binder_origin = models.CharField(max_length=64, blank=True)
    filler_origin = models.CharField(max_length=160, blank=True)
    country = models.CharField(max_length=64, blank=True, help_text="Country of manufacture.")
    strength = models.CharField(max_length=16, choices=Strength.choices, blank=True)
    tasting_profile = models.JSONField(default=dict, blank=True)
    is_discontinued = models.BooleanField(default=False)
    needs_review = models.BooleanField(
        default=False, help_text="Created automatically (e.g. from a merchant page); check it."
    )
    embedding = VectorField(dimensions=settings.EMBEDDING_DIMENSIONS, null=True, blank=True)
    embedding_model = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "cigar"
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ring_gauge__isnull=True)
                | models.Q(ring_gauge__gte=20, ring_gauge__lte=100),
                name="cigar_ring_gauge_range",
            ),
            models.CheckConstraint(
                condition=models.Q(length_mm__isnull=True)
                | models.Q(length_mm__gte=40, length_mm__lte=600),
                name="cigar_length_mm_range",
            ),
            models.CheckConstraint(
                condition=models.Q(weight_g__isnull=True) | models.Q(weight_g__gt=0),
                name="cigar_weight_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(strength__in=[*Strength.values, ""]),
                name="cigar_strength_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(embedding__isnull=True) | ~models.Q(embedding_model=""),
                name="cigar_embedding_has_model",
            ),
        ]
        indexes = [
            GinIndex(OpClass("full_name", name="gin_trgm_ops"), name="cigar_full_name_trgm_gin"),
            GinIndex(OpClass("slug", name="gin_trgm_ops"), name="cigar_slug_trgm_gin"),
            # GIN serves % and similarity filters; k-nearest ORDER BY <-> needs GiST.
            GistIndex(OpClass("full_name", name="gist_trgm_ops"), name="cigar_full_name_trgm_gist"),
            GinIndex(
                OpClass("search_name", name="gin_trgm_ops"), name="cigar_search_name_trgm_gin"
            ),
            GistIndex(
                OpClass("search_name", name="gist_trgm_ops"), name="cigar_search_name_trgm_gist"
            ),
            # Whole words of the normalised name (search: cigars holding every word of
            # the query, before the fuzzy trigram ranking; see catalogue/search/).
            GinIndex(fields=["search_words"], name="cigar_search_words_gin"),
            # The API's stable order and its cursor pagination: (full_name, id).
            models.Index(fields=["full_name", "id"], name="cigar_full_name_id_idx"),
            # A named brand's search (catalogue/search/hybrid.py) ranks every cigar of its
            # lines by the words they share with the query: read from here, an index-only
            # scan, rather than from a table page per cigar.
            models.Index(
                fields=["line", "id"],
                include=["search_name", "search_words"],
                name="cigar_line_words_cover",
            ),
            # Filtered lists (brand → lines, strength, ring and length ranges): every
            # condition is checked inside this index, so only matching rows are read.
            models.Index(
                fields=["line", "strength", "ring_gauge", "length_mm"],
                name="cigar_line_filters_idx",
            ),
            HnswIndex(
                name="cigar_embedding_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        # A safety net for rows written around the services (factories, fixtures, data
        # migrations): a cigar with a full name is always findable by search.
        if self.full_name and not self.search_name:
            self.search_name = search_key(self.full_name)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)


class BlendRole(models.TextChoices):
    WRAPPER = "wrapper", "Wrapper"
    BINDER = "binder", "Binder"
    FILLER = "filler", "Filler"


class BlendComponent(models.Model):
    Role = BlendRole

    cigar = models.ForeignKey(Cigar, on_delete=models.CASCADE, related_name="blend")
    role = models.CharField(max_length=8, choices=Role.choices)
    leaf = models.CharField(max_length=120, blank=True, help_text="Leaf or variety.")
    country = models.CharField(max_length=64, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "blend_component"
        ordering = ["cigar", "position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=BlendRole.values), name="blend_component_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.leaf or '?'} ({self.country or '?'})"


class CigarPackage(models.Model):
    """A way the cigar is sold: a pack size, a packaging, and a merchant price if known."""

    cigar = models.ForeignKey(Cigar, on_delete=models.CASCADE, related_name="packages")
    pack_size = models.PositiveIntegerField()
    packaging = models.CharField(max_length=16, choices=Packaging.choices, default=Packaging.BOX)
    description = models.CharField(max_length=255, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # NULL with a NULL price: amount and currency always come as a pair.
    currency = models.CharField(max_length=3, null=True, blank=True)  # noqa: DJ001
    merchant = models.CharField(max_length=120, blank=True)
    source_url = models.URLField(max_length=1000, blank=True)
    observed_at = models.DateTimeField(null=True, blank=True)
    is_available = models.BooleanField(default=True)

    class Meta:
        db_table = "cigar_package"
        ordering = ["cigar", "pack_size"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pack_size__gt=0), name="cigar_package_pack_size_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True, currency__isnull=True)
                | models.Q(
                    price__isnull=False, currency__isnull=False, currency__regex=r"^[A-Z]{3}$"
                ),
                name="cigar_package_money_pair",
            ),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0),
                name="cigar_package_price_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(packaging__in=Packaging.values),
                name="cigar_package_packaging_valid",
            ),
            models.UniqueConstraint(
                fields=["cigar", "merchant", "packaging", "pack_size"],
                name="cigar_package_unique_per_merchant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_packaging_display()} of {self.pack_size}"


class TastingNote(TimeStampedModel):
    cigar = models.ForeignKey(Cigar, on_delete=models.CASCADE, related_name="tasting_notes")
    reviewer = models.CharField(max_length=120)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    pairings = models.JSONField(default=list, blank=True)
    tasted_on = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "tasting_note"
        ordering = ["-tasted_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="tasting_note_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.cigar_id}: {self.score}"
