"""Reads of the customs app."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from customs.models import (
    CustomsPriceEntry,
    CustomsPublication,
    CustomsRun,
    CustomsSource,
    PublicationStatus,
)

#: The statuses from which ``ingest`` still has a stage to run.
PENDING_STATUSES = (
    PublicationStatus.DISCOVERED,
    PublicationStatus.FETCHED,
    PublicationStatus.PARSED,
)


def source_list(*, enabled: bool | None = None) -> QuerySet[CustomsSource]:
    qs = CustomsSource.objects.all()
    if enabled is not None:
        qs = qs.filter(enabled=enabled)
    return qs.order_by("slug")


def source_get(*, slug: str) -> CustomsSource:
    return CustomsSource.objects.get(slug=slug)


def sources_for_scheduled_discovery() -> QuerySet[CustomsSource]:
    """Enabled sources with automatic discovery whose documents carry per-product prices."""
    return CustomsSource.objects.filter(
        enabled=True, discovery_enabled=True, carries_prices=True
    ).order_by("slug")


def publication_list(
    *,
    source: str | None = None,
    status: str | None = None,
    effective_from: dt.date | None = None,
    effective_to: dt.date | None = None,
) -> QuerySet[CustomsPublication]:
    qs = CustomsPublication.objects.select_related("source", "duplicate_of")
    if source:
        qs = qs.filter(source__slug=source)
    if status:
        qs = qs.filter(status=status)
    if effective_from:
        qs = qs.filter(effective_date__gte=effective_from)
    if effective_to:
        qs = qs.filter(effective_date__lte=effective_to)
    return qs.order_by("-effective_date", "-created_at", "-id")


def publications_pending(*, source: CustomsSource | None = None) -> QuerySet[CustomsPublication]:
    """Publications with a stage left to run (duplicates stop at ``fetched``)."""
    qs = CustomsPublication.objects.filter(status__in=PENDING_STATUSES, duplicate_of__isnull=True)
    if source is not None:
        qs = qs.filter(source=source)
    return qs.select_related("source").order_by("created_at", "id")


def publication_previous(*, publication: CustomsPublication) -> CustomsPublication | None:
    """The latest ingested edition of the same source and zone before this one's effective date.

    None for a source whose documents list only changes (``complete_lists`` off): such a
    document is no edition of a whole list, so nothing is diffed or checked against it.
    """
    if publication.effective_date is None or not publication.source.complete_lists:
        return None
    return (
        CustomsPublication.objects.filter(
            source_id=publication.source_id,
            zone=publication.zone,
            status=PublicationStatus.INGESTED,
            duplicate_of__isnull=True,
            effective_date__isnull=False,
        )
        .exclude(pk=publication.pk)
        .filter(
            Q(effective_date__lt=publication.effective_date)
            | Q(effective_date=publication.effective_date, created_at__lt=publication.created_at)
        )
        .order_by("-effective_date", "-created_at", "-id")
        .first()
    )


def publication_for_effective_date(
    *, source_slug: str, effective_date: dt.date | None
) -> CustomsPublication | None:
    """The edition of a source in force from that date (a legal text links to it)."""
    if effective_date is None:
        return None
    return (
        CustomsPublication.objects.filter(
            source__slug=source_slug, effective_date=effective_date, duplicate_of__isnull=True
        )
        .order_by("-created_at", "-id")
        .first()
    )


def entry_list(
    *, publication: CustomsPublication, change_kind: str | None = None, q: str | None = None
) -> QuerySet[CustomsPriceEntry]:
    qs = CustomsPriceEntry.objects.filter(publication=publication).defer("embedding")
    if change_kind:
        qs = qs.filter(change_kind=change_kind)
    if q:
        qs = qs.filter(Q(raw_label__icontains=q) | Q(normalised_label__icontains=q))
    return qs.order_by("row_number")


def entries_by_id(*, ids: list[int]) -> QuerySet[CustomsPriceEntry]:
    return CustomsPriceEntry.objects.filter(pk__in=ids).defer("embedding").order_by("row_number")


def run_list(*, source: CustomsSource | None = None) -> QuerySet[CustomsRun]:
    qs = CustomsRun.objects.select_related("source", "publication")
    if source is not None:
        qs = qs.filter(source=source)
    return qs.order_by("-started_at")


LEGAL_SOURCES = ("fr-legifrance-jorf", "fr-legifrance-dila")


def publication_legal_texts(*, publication: CustomsPublication) -> QuerySet[CustomsPublication]:
    """The arrêtés (Légifrance, DILA) homologating the prices of a DGDDI edition."""
    if publication.effective_date is None or publication.source.slug in LEGAL_SOURCES:
        return CustomsPublication.objects.none()
    return (
        CustomsPublication.objects.filter(
            source__slug__in=LEGAL_SOURCES, effective_date=publication.effective_date
        )
        .select_related("source")
        .order_by("source__slug", "-created_at")
    )


def source_label_grammar(*, slug: str):
    """The label grammar of a source's entries (its extractor adapter names it)."""
    from customs.adapters import extractor_adapters
    from customs.labels.grammars import label_grammar

    adapter_name = (
        CustomsSource.objects.filter(slug=slug).values_list("extractor_adapter", flat=True).first()
    )
    adapter = extractor_adapters().get(adapter_name or "")
    return label_grammar(getattr(adapter, "label_grammar", None))


def publication_citation(*, publication: CustomsPublication) -> str:
    """The attribution the source's terms require with the edition's prices, dated."""
    from customs.sources import citation_for

    return citation_for(publication.source.citation, publication.effective_date)
