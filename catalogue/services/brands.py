"""Brands and lines: a rename rewrites the full names of their cigars in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
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
    _apply,
    _cascade_names,
    _check_name_free,
    _clean,
    _unique_slug,
)

# --- brands --------------------------------------------------------------------------------


@transaction.atomic
def brand_create(
    *,
    name: str,
    country: str = "",
    description: str = "",
    website: str = "",
    image_url: str = "",
    aliases: list[str] | None = None,
) -> Brand:
    brand = Brand(
        name=" ".join(name.split()),
        country=country,
        description=description,
        website=website,
        image_url=image_url,
        aliases=aliases or [],
    )
    _check_name_free(Brand.objects.all(), brand.name, "A brand")
    brand.slug = _unique_slug(brand.name, Brand.objects.all(), max_length=140)
    _clean(brand)
    brand.save()
    forget_brand_keys()
    return brand


@transaction.atomic
def brand_update(*, brand: Brand, **fields: Any) -> Brand:
    """Change a brand; a rename rewrites the full names of all its cigars."""
    if "name" in fields:
        fields["name"] = " ".join(str(fields["name"]).split())
    old_name = Brand.objects.select_for_update().values_list("name", flat=True).get(pk=brand.pk)
    changed = _apply(brand, fields, BRAND_FIELDS)
    if not changed:
        return brand
    if "name" in changed:
        _check_name_free(Brand.objects.all(), brand.name, "A brand", exclude_pk=brand.pk)
        brand.slug = _unique_slug(
            brand.name, Brand.objects.all(), max_length=140, exclude_pk=brand.pk
        )
    _clean(brand)
    brand.save()
    forget_brand_keys()
    if "name" in changed:
        # The default line carries the brand's name: it follows the rename.
        default_line = brand.lines.filter(name__iexact=old_name).first()
        if default_line is not None:
            default_line.name = brand.name
            default_line.slug = _unique_slug(
                brand.name, brand.lines.all(), max_length=140, exclude_pk=default_line.pk
            )
            default_line.save(update_fields=["name", "slug", "updated_at"])
        _cascade_names(Cigar.objects.filter(line__brand=brand))
    return brand


@transaction.atomic
def brand_delete(*, brand: Brand) -> None:
    if brand.lines.exists():
        raise ValidationError(f"Brand {brand.name!r} still has lines; delete or move them first.")
    brand.delete()
    forget_brand_keys()


def brand_get_or_create(*, name: str) -> tuple[Brand, bool]:
    name = " ".join(name.split())
    brand = Brand.objects.filter(name__iexact=name).first()
    if brand is not None:
        return brand, False
    return brand_create(name=name), True


# --- lines ---------------------------------------------------------------------------------


@transaction.atomic
def line_create(*, brand: Brand, name: str, description: str = "") -> CigarLine:
    line = CigarLine(brand=brand, name=" ".join(name.split()), description=description)
    _check_name_free(brand.lines.all(), line.name, f"A line of {brand.name}")
    line.slug = _unique_slug(line.name, brand.lines.all(), max_length=140)
    _clean(line)
    line.save()
    forget_brand_keys()
    return line


@transaction.atomic
def line_update(*, line: CigarLine, **fields: Any) -> CigarLine:
    """Change a line (name, description, or brand); cigars follow in the same transaction."""
    if "name" in fields:
        fields["name"] = " ".join(str(fields["name"]).split())
    new_brand = fields.pop("brand", None)
    CigarLine.objects.select_for_update().filter(pk=line.pk).exists()
    changed = _apply(line, fields, LINE_FIELDS)
    if new_brand is not None and new_brand.pk != line.brand_id:
        line.brand = new_brand
        changed.append("brand")
    if not changed:
        return line
    if "name" in changed or "brand" in changed:
        _check_name_free(
            line.brand.lines.all(), line.name, f"A line of {line.brand.name}", exclude_pk=line.pk
        )
        line.slug = _unique_slug(
            line.name, line.brand.lines.all(), max_length=140, exclude_pk=line.pk
        )
    _clean(line)
    line.save()
    forget_brand_keys()
    if "name" in changed or "brand" in changed:
        _cascade_names(line.cigars.all())
    return line


@transaction.atomic
def line_delete(*, line: CigarLine) -> None:
    if line.cigars.exists():
        raise ValidationError(f"Line {line} still has cigars; delete or move them first.")
    line.delete()
    forget_brand_keys()


def line_default(*, brand: Brand) -> CigarLine:
    """The line named after the brand, where cigars without a line are filed."""
    line = brand.lines.filter(name__iexact=brand.name).first()
    return line if line is not None else line_create(brand=brand, name=brand.name)


def line_get_or_create(*, brand: Brand, name: str) -> tuple[CigarLine, bool]:
    name = " ".join((name or "").split())
    if not name:
        existed = brand.lines.filter(name__iexact=brand.name).exists()
        return line_default(brand=brand), not existed
    line = brand.lines.filter(name__iexact=name).first()
    if line is not None:
        return line, False
    return line_create(brand=brand, name=name), True
