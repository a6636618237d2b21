"""What the review console adds to the cigar admin (catalogue owns it and must not import
matching): the official price history as a chart, the accepted matches inline, a thumbnail
column, the "merge" action. Registered as an ``AdminExtension`` of ``catalogue.Cigar``;
``catalogue.admin.CigarAdmin`` stays the admin that runs.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from catalogue.models import Cigar, MediaAsset
from cigarspace.admin_base import ReadOnlyMixin
from cigarspace.admin_extensions import AdminExtension, Panel, admin_extension_register
from matching.admin.charts import price_history_svg
from matching.admin.permissions import can_review, has_review_permission
from matching.models import ACCEPTED_STATUSES, CigarCustomsMatch
from matching.selectors import cigar_price_history
from matching.services.merge import MergeRefused, cigar_merge

THUMBNAIL_SIZE = 256


class AcceptedMatchInline(ReadOnlyMixin, admin.TabularInline[CigarCustomsMatch, Cigar]):
    """The price lines linked to this cigar (read-only: decisions go through the console)."""

    model = CigarCustomsMatch
    fk_name = "cigar"
    extra = 0
    can_delete = False
    verbose_name = "accepted price line"
    verbose_name_plural = "accepted price lines"
    fields = ("entry_link", "edition", "pack", "pack_price", "status", "score", "decided_by")
    readonly_fields = fields
    ordering = ("-price_entry__publication__effective_date", "price_entry_id")

    def get_queryset(self, request) -> QuerySet[CigarCustomsMatch]:
        return (
            super()
            .get_queryset(request)
            .filter(status__in=ACCEPTED_STATUSES)
            .select_related("price_entry__publication__source", "decided_by")
        )

    def has_view_permission(self, request, obj=None) -> bool:
        return can_review(request.user) or super().has_view_permission(request, obj)

    @admin.display(description="Price label")
    def entry_link(self, obj: CigarCustomsMatch) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:matching_review", args=[obj.price_entry_id]),
            obj.price_entry.raw_label,
        )

    @admin.display(description="Edition")
    def edition(self, obj: CigarCustomsMatch) -> str:
        publication = obj.price_entry.publication
        return f"{publication.source.slug} {publication.effective_date or ''}".strip()

    @admin.display(description="Pack")
    def pack(self, obj: CigarCustomsMatch) -> str:
        return str(obj.price_entry.pack_size or "—")

    @admin.display(description="Pack price")
    def pack_price(self, obj: CigarCustomsMatch) -> str:
        entry = obj.price_entry
        return f"{entry.pack_price} {entry.currency_code}" if entry.pack_price is not None else "—"


def _thumbnail(digest: str | None, *, height: int) -> str:
    if not digest:
        return "—"
    return format_html(
        '<img src="{}" alt="" loading="lazy" style="max-height:{}px;max-width:{}px">',
        reverse("media-blob-thumbnail", args=[digest, THUMBNAIL_SIZE]),
        height,
        height * 2,
    )


def price_history_table(history: list[dict]) -> str:
    def shown(value) -> object:
        return value if value is not None else "—"

    rows = (
        (
            group.get("country", ""),
            group["source"] + (f" · {group['zone']}" if group.get("zone") else ""),
            group["pack_size"] or "—",
            point["effective_date"] or "—",
            shown(point["pack_price"]),
            shown(point["unit_price"]),
            shown(point.get("surcharge_unit_price")),
            group["currency"],
            point["label"],
            " (withdrawn)" if point["is_withdrawn"] else "",
        )
        for group in history
        for point in group["prices"]
    )
    body = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}{}</td></tr>",
        rows,
    )
    # The attribution the sources' terms require (Spain), wherever their prices are shown.
    citations = sorted({group["citation"] for group in history if group.get("citation")})
    notes = format_html_join("", '<p class="price-citation">{}</p>', ((c,) for c in citations))
    return format_html(
        '<table class="price-history-table"><thead><tr><th>Country</th><th>Source</th>'
        "<th>Pack</th><th>Effective</th><th>Pack price</th><th>Unit price</th>"
        "<th>With surcharge</th><th>Currency</th><th>Label</th></tr></thead><tbody>{}</tbody>"
        "</table>{}",
        body,
        notes,
    )


class CigarMergeForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Cigar.objects.all(),
        widget=forms.NumberInput,
        label="Id of the cigar that stays",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, help_text="Kept in the audit."
    )


def with_primary_digest(queryset: QuerySet[Cigar]) -> QuerySet[Cigar]:
    """The primary picture's digest in the list query itself (no query per row)."""
    primary = MediaAsset.objects.filter(cigar=OuterRef("pk"), is_primary=True)
    return queryset.annotate(primary_digest=Subquery(primary.values("blob__digest")[:1]))


@admin.display(description="Picture")
def thumbnail(model_admin: ModelAdmin, obj: Cigar) -> str:
    return _thumbnail(getattr(obj, "primary_digest", None), height=40)


@admin.display(description="Primary picture")
def picture(model_admin: ModelAdmin, obj: Cigar) -> str:
    return _thumbnail(getattr(obj, "primary_digest", None), height=128)


@admin.display(description="Price history")
def official_price_history(model_admin: ModelAdmin, obj: Cigar) -> str:
    if obj.pk is None:
        return "—"
    history = cigar_price_history(cigar=obj)
    if not history:
        return "No official price linked to this cigar yet."
    return format_html("{}{}", price_history_svg(history), price_history_table(history))


@admin.action(description="Merge the selected duplicates into another cigar…")
def merge_into(model_admin: ModelAdmin, request, queryset: QuerySet[Cigar]):
    if not model_admin.has_delete_permission(request):
        model_admin.message_user(
            request, "Merging needs the right to delete cigars.", messages.ERROR
        )
        return None
    duplicates = list(queryset.order_by("pk"))
    form = CigarMergeForm(request.POST if request.POST.get("confirm") == "yes" else None)
    if form.is_bound and form.is_valid():
        into = form.cleaned_data["into"]
        merged = 0
        for duplicate in duplicates:
            if duplicate.pk == into.pk:
                continue
            try:
                cigar_merge(
                    duplicate=duplicate,
                    into=into,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except (MergeRefused, ValidationError) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else exc
                model_admin.message_user(request, f"{duplicate}: {text}", messages.ERROR)
            else:
                merged += 1
        if merged:
            model_admin.message_user(
                request, f"Merged {merged} cigar(s) into {into}.", messages.SUCCESS
            )
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Merge duplicate cigars",
        "opts": model_admin.model._meta,
        "duplicates": duplicates,
        "form": form,
    }
    return TemplateResponse(request, "admin/matching/cigar_merge.html", context)


admin_extension_register(
    Cigar,
    AdminExtension(
        name="matching.review_console",
        columns_before=("thumbnail",),
        # The official prices first: reviewers open this page from the console for them.
        panels=(Panel("Official prices", ("picture", "official_price_history"), first=True),),
        inlines=(AcceptedMatchInline,),
        actions=(merge_into,),
        methods={
            "thumbnail": thumbnail,
            "picture": picture,
            "official_price_history": official_price_history,
            "has_review_permission": has_review_permission,
        },
        queryset=with_primary_digest,
        viewer=can_review,
        css=("review/review.css",),
    ),
)
