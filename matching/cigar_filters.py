"""Cigar list filters that need matching's data, registered into catalogue's CigarFilter.

catalogue may not import matching (ARCHITECTURE.md), so matching contributes them from
its AppConfig.ready() through catalogue.filters.cigar_filter_register.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from catalogue.filters import StrictBooleanFilter, cigar_filter_register
from matching.models import ACCEPTED_STATUSES, CigarCustomsMatch


def filter_has_official_price(queryset: QuerySet, name: str, value: bool) -> QuerySet:
    """true: cigars with an accepted match (automatic or human), i.e. the cigars whose
    ``/cigars/{id}/prices`` is not empty; false: the others."""
    accepted = CigarCustomsMatch.objects.filter(
        cigar_id=OuterRef("pk"), status__in=ACCEPTED_STATUSES
    )
    # EXISTS, not a join: a cigar with many accepted matches must appear once.
    return queryset.filter(Exists(accepted)) if value else queryset.exclude(Exists(accepted))


def cigar_filters_register() -> None:
    cigar_filter_register(
        "has_official_price",
        StrictBooleanFilter(
            method=filter_has_official_price,
            help_text="Only cigars with (true) or without (false) an official price.",
        ),
    )
