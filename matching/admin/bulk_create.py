""" "Create cigars from these entries": an editable table before anything is written.

Reached from the queue's action (the selected rows, each with its review group). GET shows
one row per product, prefilled from the labels (``bulk_create_rows``), duplicates of
existing cigars unticked and named; POST creates the ticked rows through
``cigars_create_from_rows`` (which refuses duplicates again, under the write).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from matching.admin.permissions import can_review
from matching.models import CigarCustomsMatch
from matching.services.bulk_create import MAX_ROWS, bulk_create_rows, cigars_create_from_rows

MAX_IDS = 2000


class BulkCigarForm(forms.Form):
    create = forms.BooleanField(required=False)
    entry_id = forms.IntegerField(widget=forms.HiddenInput)
    brand_name = forms.CharField(max_length=120)
    line_name = forms.CharField(max_length=120, required=False)
    vitola_name = forms.CharField(max_length=160)
    length_mm = forms.DecimalField(
        max_digits=5, decimal_places=1, required=False, min_value=Decimal("1")
    )
    ring_gauge = forms.IntegerField(required=False, min_value=1, max_value=200)
    packages = forms.CharField(max_length=300, required=False, help_text="box:25; tube:3")


BulkCigarFormSet = forms.formset_factory(BulkCigarForm, extra=0, max_num=MAX_ROWS)


def _entry_ids(raw: str) -> list[int]:
    return [int(part) for part in raw.split(",")[:MAX_IDS] if part.strip().isdigit()]


def bulk_create_view(admin_site, request: HttpRequest) -> HttpResponse:
    if not can_review(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Creating cigars from entries needs the review permission.")
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    changelist = reverse("admin:matching_cigarcustomsmatch_changelist")
    ids = _entry_ids(request.GET.get("ids", ""))
    rows = bulk_create_rows(entry_ids=ids)
    if request.method == "POST":
        formset = BulkCigarFormSet(request.POST)
        if formset.is_valid():
            chosen = [
                form.cleaned_data for form in formset.forms if form.cleaned_data.get("create")
            ]
            outcome = cigars_create_from_rows(rows=chosen, actor=request.user)
            for cigar, lines in outcome.created:
                messages.success(
                    request, f"Created {cigar.full_name} (to curate), {lines} line(s)."
                )
            for row, reason, _existing in outcome.refused:
                messages.warning(
                    request, f"{row.get('brand_name')} {row.get('vitola_name')}: {reason}"
                )
            return HttpResponseRedirect(changelist)
    else:
        formset = BulkCigarFormSet(initial=[row.as_initial() for row in rows])
    context = {
        **admin_site.each_context(request),
        "title": "Create cigars from these entries",
        "opts": CigarCustomsMatch._meta,
        "rows": list(zip(formset.forms, rows, strict=False)),
        "formset": formset,
    }
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "admin/matching/bulk_create.html", context, status=status)
