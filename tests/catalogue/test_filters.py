"""The catalogue's filter sets: one form class per set of filters, rebuilt on registration."""

from __future__ import annotations

import django_filters

from catalogue.filters import CigarFilter, cigar_filter_register, cigar_filter_unregister
from catalogue.models import Cigar


def test_the_form_class_is_built_once_and_validates_each_request_apart():
    first = CigarFilter(data={"ring_min": "50"}, queryset=Cigar.objects.none())
    second = CigarFilter(data={"ring_min": "abc"}, queryset=Cigar.objects.none())
    assert type(first.form) is type(second.form)
    assert first.is_valid()
    assert not second.is_valid()
    assert "ring_min" in second.errors


def test_registering_a_filter_rebuilds_the_form_class():
    before = type(CigarFilter(data={}, queryset=Cigar.objects.none()).form)
    cigar_filter_register("made_in", django_filters.CharFilter(field_name="country"))
    try:
        form = CigarFilter(data={"made_in": "Cuba"}, queryset=Cigar.objects.none()).form
        assert type(form) is not before
        assert "made_in" in form.fields
    finally:
        cigar_filter_unregister("made_in")
    after = CigarFilter(data={}, queryset=Cigar.objects.none()).form
    assert "made_in" not in after.fields
