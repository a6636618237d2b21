"""FilterSets of the catalogue lists, applied inside the selectors (views stay thin)."""

from __future__ import annotations

import copy
from typing import ClassVar

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet

from catalogue.models import Brand, Cigar, CigarLine, Strength, TastingNote


def _id_or_slug(queryset: QuerySet, prefix: str, value: str) -> QuerySet:
    value = value.strip()
    # isdigit() alone accepts "8²", which int() refuses: only ASCII digits are an id.
    if value.isascii() and value.isdigit():
        return queryset.filter(**{f"{prefix}_id": int(value)})
    return queryset.filter(**{f"{prefix}__slug": value})


class StrictBooleanField(forms.Field):
    """A query-string boolean that refuses what it does not understand.

    Django's NullBooleanField reads any unknown value as "not given", so a typo such as
    ``?flag=ture`` would silently return the unfiltered list: here it is a 400 instead.
    """

    TRUE_VALUES = frozenset({"true", "1"})
    FALSE_VALUES = frozenset({"false", "0"})

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self.TRUE_VALUES:
            return True
        if text in self.FALSE_VALUES:
            return False
        raise forms.ValidationError("Must be true or false.", code="invalid")


class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


# Extra cigar filters contributed by apps that catalogue must not import (matching, for
# "has official price"): they register here from their AppConfig.ready(), and CigarFilter
# adds them to each instance, so the dependency keeps pointing from them to catalogue.
_extra_cigar_filters: dict[str, django_filters.Filter] = {}


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, with its form class built once per set of filters.

    django-filter builds a new form class for every request (a ``type()`` call over
    fresh form fields): a millisecond of each filtered list. The filters' fields here
    depend on nothing but the filters, and Django forms copy their fields per instance,
    so one class per filterset class and filter names serves every request.
    """

    _form_classes: ClassVar[dict[tuple, type]] = {}

    def get_form_class(self):
        key = (type(self), tuple(self.filters))
        form_class = self._form_classes.get(key)
        if form_class is None:
            form_class = self._form_classes[key] = super().get_form_class()
        return form_class


def cigar_filter_register(name: str, filter_: django_filters.Filter) -> None:
    """Add ``filter_`` to the cigar list filters as the query parameter ``name``.

    Registering the same name again replaces the filter (ready() may run more than once
    in tests); a name that CigarFilter already declares is a configuration error. The
    parameter still needs documenting in catalogue.api.CIGAR_FILTER_PARAMETERS.
    """
    if name in CigarFilter.base_filters:
        raise ImproperlyConfigured(f"Cigar filter {name!r} is already declared by CigarFilter.")
    if filter_.field_name is None:
        filter_.field_name = name  # what the FilterSet metaclass does for declared ones
    _extra_cigar_filters[name] = filter_
    FilterSet._form_classes.clear()  # the cached forms lack (or hold a replaced) field


def cigar_filter_unregister(name: str) -> None:
    _extra_cigar_filters.pop(name, None)
    FilterSet._form_classes.clear()


def cigar_extra_filter_names() -> list[str]:
    return list(_extra_cigar_filters)


class BrandFilter(FilterSet):
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")

    class Meta:
        model = Brand
        fields = ["country"]


class LineFilter(FilterSet):
    brand = django_filters.CharFilter(method="filter_brand", help_text="Brand id or slug.")

    class Meta:
        model = CigarLine
        fields = ["brand"]

    def filter_brand(self, queryset, name, value):
        return _id_or_slug(queryset, "brand", value)


class CigarFilter(FilterSet):
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
    discontinued = StrictBooleanFilter(field_name="is_discontinued")

    class Meta:
        model = Cigar
        fields = ["brand", "line", "strength", "discontinued"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Copied per instance, like the declared filters (a filter holds its parent).
        for name, filter_ in _extra_cigar_filters.items():
            extra = copy.deepcopy(filter_)
            extra.model = self.queryset.model
            extra.parent = self
            self.filters[name] = extra

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


class TastingNoteFilter(FilterSet):
    cigar = django_filters.NumberFilter(field_name="cigar_id")
    score_min = django_filters.NumberFilter(field_name="score", lookup_expr="gte")

    class Meta:
        model = TastingNote
        fields = ["cigar"]
