"""FilterSets of the catalogue lists, applied inside the selectors (views stay thin)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from catalogue.models import Brand, Cigar, CigarLine, Strength, TastingNote


def _id_or_slug(queryset: QuerySet, prefix: str, value: str) -> QuerySet:
    value = value.strip()
    # isdigit() alone accepts "8²", which int() refuses: only ASCII digits are an id.
    if value.isascii() and value.isdigit():
        return queryset.filter(**{f"{prefix}_id": int(value)})
    return queryset.filter(**{f"{prefix}__slug": value})


class BrandFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")

    class Meta:
        model = Brand
        fields = ["country"]


class LineFilter(django_filters.FilterSet):
    brand = django_filters.CharFilter(method="filter_brand", help_text="Brand id or slug.")

    class Meta:
        model = CigarLine
        fields = ["brand"]

    def filter_brand(self, queryset, name, value):
        return _id_or_slug(queryset, "brand", value)


class CigarFilter(django_filters.FilterSet):
    brand = django_filters.CharFilter(method="filter_brand", help_text="Brand id or slug.")
    line = django_filters.NumberFilter(field_name="line_id", help_text="Line id.")
    length_min = django_filters.NumberFilter(
        field_name="length_mm", lookup_expr="gte", help_text="Minimum length in mm."
    )
    length_max = django_filters.NumberFilter(
        field_name="length_mm", lookup_expr="lte", help_text="Maximum length in mm."
    )
    ring_min = django_filters.NumberFilter(
        field_name="ring_gauge", lookup_expr="gte", help_text="Minimum ring gauge."
    )
    ring_max = django_filters.NumberFilter(
        field_name="ring_gauge", lookup_expr="lte", help_text="Maximum ring gauge."
    )
    origin = django_filters.CharFilter(
        method="filter_origin",
        help_text="Country of manufacture or of a leaf (wrapper, binder, filler), any case.",
    )
    # distinct=False: one cigar has one strength, and DISTINCT over wide rows is costly.
    strength = django_filters.MultipleChoiceFilter(choices=Strength.choices, distinct=False)
    discontinued = django_filters.BooleanFilter(field_name="is_discontinued")

    class Meta:
        model = Cigar
        fields = ["brand", "line", "strength", "discontinued"]

    def filter_brand(self, queryset, name, value):
        return _id_or_slug(queryset, "line__brand", value)

    def filter_origin(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(country__iexact=value)
            | Q(wrapper_origin__iexact=value)
            | Q(binder_origin__iexact=value)
            | Q(filler_origin__icontains=value)
        )


class TastingNoteFilter(django_filters.FilterSet):
    cigar = django_filters.NumberFilter(field_name="cigar_id")
    score_min = django_filters.NumberFilter(field_name="score", lookup_expr="gte")

    class Meta:
        model = TastingNote
        fields = ["cigar"]
