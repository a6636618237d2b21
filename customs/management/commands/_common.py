"""Shared bits of the customs commands."""

from __future__ import annotations

from django.core.management.base import CommandError

from customs.models import CustomsPublication, CustomsSource


def source_or_error(slug: str) -> CustomsSource:
    try:
        return CustomsSource.objects.get(slug=slug)
    except CustomsSource.DoesNotExist:
        known = ", ".join(CustomsSource.objects.values_list("slug", flat=True))
        raise CommandError(f"Unknown source {slug!r}. Known sources: {known}.") from None


def publication_or_error(pk: int) -> CustomsPublication:
    try:
        return CustomsPublication.objects.select_related("source").get(pk=pk)
    except CustomsPublication.DoesNotExist:
        raise CommandError(f"No publication {pk}.") from None


def publication_line(publication: CustomsPublication) -> str:
    parse = publication.metadata.get("parse") or {}
    diff = (publication.metadata.get("diff") or {}).get("counts") or {}
    parts = [
        f"publication {publication.pk} [{publication.source.slug}]",
        publication.status,
        f"{publication.entry_count} entries",
    ]
    if publication.effective_date:
        parts.append(f"effective {publication.effective_date}")
    if parse:
        parts.append(
            f"{parse.get('computed_unit_prices', 0)} computed unit prices, "
            f"{parse.get('price_mismatches', 0)} unit/pack mismatches, "
            f"{parse.get('warning_count', 0)} warnings"
        )
    if diff:
        parts.append("diff " + ", ".join(f"{k} {v}" for k, v in diff.items() if v))
    if publication.duplicate_of_id:
        parts.append(f"duplicate of {publication.duplicate_of_id}")
    if publication.error:
        parts.append(f"failed at {publication.failed_stage}: {publication.error}")
    return " — ".join(parts)
