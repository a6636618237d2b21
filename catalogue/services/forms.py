"""Saving instances edited by forms (the admin) with the rules of the other services."""

from __future__ import annotations

from django.db import transaction

from catalogue.models import (
    Brand,
    Cigar,
    CigarLine,
)
from catalogue.search import forget_brand_keys
from catalogue.services._common import (
    BRAND_FIELDS,
    LINE_FIELDS,
    _check_name_free,
    _clean,
    _refresh_names,
    _unique_slug,
)
from catalogue.services.brands import brand_update, line_update
from catalogue.services.cigars import _check_vitola_free

# --- forms (the admin) ------------------------------------------------------------------------


@transaction.atomic
def brand_save_instance(*, brand: Brand) -> Brand:
    """Save a brand edited by a form: the slug follows the name, and a rename cascades."""
    if brand.pk is None:
        _check_name_free(Brand.objects.all(), brand.name, "A brand")
        brand.slug = _unique_slug(brand.name, Brand.objects.all(), max_length=140)
        _clean(brand)
        brand.save()
        forget_brand_keys()
        return brand
    stored = Brand.objects.select_for_update().get(pk=brand.pk)
    fields = {name: getattr(brand, name) for name in BRAND_FIELDS}
    return brand_update(brand=stored, **fields)


@transaction.atomic
def line_save_instance(*, line: CigarLine) -> CigarLine:
    if line.pk is None:
        line.slug = _unique_slug(line.name, line.brand.lines.all(), max_length=140)
        _clean(line)
        line.save()
        forget_brand_keys()
        return line
    stored = CigarLine.objects.select_for_update().get(pk=line.pk)
    fields = {name: getattr(line, name) for name in LINE_FIELDS}
    return line_update(line=stored, brand=line.brand, **fields)


@transaction.atomic
def cigar_save_instance(*, cigar: Cigar) -> Cigar:
    """Save a cigar edited by a form, computing its derived names like cigar_create."""
    if cigar.external_id == "":
        cigar.external_id = None
    previous = (
        Cigar.objects.select_for_update()
        .filter(pk=cigar.pk)
        .values("line_id", "vitola_name")
        .first()
        if cigar.pk
        else None
    )
    if previous is None or previous != {"line_id": cigar.line_id, "vitola_name": cigar.vitola_name}:
        _check_vitola_free(cigar.line, cigar.vitola_name, exclude_pk=cigar.pk)
        cigar.full_name = ""  # force the recomputation
        _refresh_names(cigar, cigar.line.brand.name, cigar.line.name)
    _clean(cigar, exclude=["full_name", "search_name", "embedding"])
    cigar.save()
    return cigar
