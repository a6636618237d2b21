"""The merchant registry: validated writes (the admin's form and commands use them)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from catalogue import services as catalogue_services
from merchants.extraction.select import SelectorError, compile_selector
from merchants.models import Merchant

MERCHANT_FIELDS = (
    "name",
    "slug",
    "base_url",
    "country",
    "currency",
    "adapter",
    "sitemap_urls",
    "product_url_pattern",
    "listing_urls",
    "product_link_selector",
    "next_page_selector",
    "selectors",
    "crawl_delay_seconds",
    "max_pages",
    "max_page_bytes",
    "max_images_per_product",
    "crawl_every_hours",
    "enabled",
    "notes",
)
SELECTOR_KEYS = {
    "name",
    "brand",
    "sku",
    "description",
    "wrapper",
    "binder",
    "filler",
    "country",
    "dimensions",
    "length",
    "ring_gauge",
    "images",
    "price",
    "pack",
    "specs",
    "variants",
}
# --- merchants ---------------------------------------------------------------------------


def merchant_validate(*, merchant: Merchant) -> None:
    """Operators type selectors in the admin: every one must compile before it is saved."""
    errors: dict[str, str] = {}
    if not isinstance(merchant.selectors, dict):
        raise ValidationError({"selectors": "A JSON object of field → selector."})
    unknown = set(merchant.selectors) - SELECTOR_KEYS
    if unknown:
        known = ", ".join(sorted(SELECTOR_KEYS))
        errors["selectors"] = f"Unknown field(s) {', '.join(sorted(unknown))}; known: {known}."
    specs: list[tuple[str, Any]] = []
    for key, value in merchant.selectors.items():
        if key in ("specs", "variants"):
            if not isinstance(value, dict) or "row" not in value:
                errors["selectors"] = f"{key!r} needs an object with a 'row' selector."
                continue
            specs.extend((f"{key}.{k}", v) for k, v in value.items())
        else:
            specs.append((key, value))
    specs += [
        ("product_link_selector", merchant.product_link_selector),
        ("next_page_selector", merchant.next_page_selector),
    ]
    for key, value in specs:
        if not value:
            continue
        try:
            compile_selector(str(value))
        except SelectorError as exc:
            errors.setdefault("selectors", f"{key}: {exc}")
    if merchant.product_url_pattern:
        try:
            re.compile(merchant.product_url_pattern)
        except re.error as exc:
            errors["product_url_pattern"] = f"Not a regular expression: {exc}"
    for field in ("sitemap_urls", "listing_urls"):
        value = getattr(merchant, field)
        if not isinstance(value, list) or not all(
            isinstance(u, str) and u.startswith(("http://", "https://")) for u in value
        ):
            errors[field] = "A JSON list of absolute http(s) URLs."
    if errors:
        raise ValidationError(errors)


def _after_commit_schedules() -> None:
    from merchants.schedules import schedules_register

    transaction.on_commit(schedules_register)


@transaction.atomic
def merchant_create(*, name: str, base_url: str, **fields: Any) -> Merchant:
    unknown = set(fields) - set(MERCHANT_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set."))
    fields.setdefault("slug", slugify(name)[:60])
    merchant = Merchant(name=" ".join(name.split()), base_url=base_url, **fields)
    return merchant_save_instance(merchant=merchant)


@transaction.atomic
def merchant_update(*, merchant: Merchant, **fields: Any) -> Merchant:
    unknown = set(fields) - set(MERCHANT_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set."))
    for key, value in fields.items():
        setattr(merchant, key, value)
    return merchant_save_instance(merchant=merchant)


@transaction.atomic
def merchant_save_instance(*, merchant: Merchant) -> Merchant:
    """Validate and save (the admin's form calls this too); the schedules follow.

    Packages carry the merchant's name as their label (``cigar_package.merchant``): a
    rename relabels the merchant's packages (found by id, ``MerchantPackage``) in the same
    transaction.
    """
    merchant_validate(merchant=merchant)
    merchant.full_clean(validate_constraints=False)
    if Merchant.objects.filter(name__iexact=merchant.name).exclude(pk=merchant.pk).exists():
        raise ValidationError({"name": f"A merchant named {merchant.name!r} already exists."})
    old_name = (
        Merchant.objects.select_for_update()
        .filter(pk=merchant.pk)
        .values_list("name", flat=True)
        .first()
        if merchant.pk
        else None
    )
    merchant.save()
    if old_name is not None and old_name != merchant.name:
        catalogue_services.packages_relabel(
            package_ids=list(merchant.packages.values_list("package_id", flat=True)),
            seller=merchant.name,
        )
    _after_commit_schedules()
    return merchant
