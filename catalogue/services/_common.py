"""Field lists and helpers shared by the catalogue services."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.text import slugify

from catalogue.models import (
    Cigar,
)
from catalogue.naming import cigar_full_name, search_key

BRAND_FIELDS = ("name", "country", "description", "website", "image_url", "aliases")
LINE_FIELDS = ("name", "description")
CIGAR_FIELDS = (
    "external_id",
    "vitola_name",
    "vitola_de_galera",
    "length_mm",
    "ring_gauge",
    "weight_g",
    "shape",
    "wrapper_origin",
    "binder_origin",
    "filler_origin",
    "country",
    "strength",
    "tasting_profile",
    "is_discontinued",
    "needs_review",
)
TASTING_NOTE_FIELDS = ("reviewer", "score", "text", "pairings", "tasted_on")


# --- helpers -----------------------------------------------------------------------------


def _unique_slug(base: str, queryset: QuerySet, *, max_length: int, exclude_pk=None) -> str:
    """``base`` or ``base-2``, ``base-3``… whichever is free in ``queryset``."""
    base = (slugify(base) or "item")[: max_length - 6].strip("-") or "item"
    taken_qs = queryset.filter(Q(slug=base) | Q(slug__startswith=f"{base}-"))
    if exclude_pk is not None:
        taken_qs = taken_qs.exclude(pk=exclude_pk)
    taken = set(taken_qs.values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _apply(instance, fields: dict[str, Any], allowed: Sequence[str]) -> list[str]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set."))
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _check_name_free(queryset: QuerySet, name: str, what: str, exclude_pk=None) -> None:
    # Friendlier than the database constraint's message, and names the field.
    clash = queryset.filter(name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": f"{what} named {name!r} already exists."})


def _clean(instance, *, exclude: Iterable[str] = ()) -> None:
    # Slugs are ours (unique by construction); everything else, constraints included, is
    # checked before the INSERT so that callers get a field-level message, not an IntegrityError.
    instance.full_clean(exclude=["slug", *exclude], validate_unique=False)


def _refresh_names(cigar: Cigar, brand_name: str, line_name: str) -> bool:
    """Recompute the derived names of ``cigar``; True when its full name changed."""
    full_name = cigar_full_name(brand=brand_name, line=line_name, vitola=cigar.vitola_name)
    if full_name == cigar.full_name and cigar.slug:
        return False
    cigar.full_name = full_name
    cigar.search_name = search_key(full_name)
    cigar.slug = _unique_slug(full_name, Cigar.objects.all(), max_length=420, exclude_pk=cigar.pk)
    cigar.embedding = None
    cigar.embedding_model = ""
    return True


def _cascade_names(cigars: QuerySet[Cigar]) -> int:
    """Rewrite the derived names of many cigars after a brand or line rename."""
    changed = []
    for cigar in cigars.select_related("line__brand").order_by("pk"):
        if _refresh_names(cigar, cigar.line.brand.name, cigar.line.name):
            changed.append(cigar)
    Cigar.objects.bulk_update(
        changed,
        ["full_name", "search_name", "slug", "embedding", "embedding_model"],
        batch_size=500,
    )
    return len(changed)
