"""What review adds to the brand admin (an ``AdminExtension`` of catalogue's ``BrandAdmin``):
the labels pending review under each brand, "review this brand" and "not carried"."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import ModelAdmin
from django.db.models import CharField, Count, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse
from django.utils.html import format_html

from catalogue.models import Brand
from cigarspace.admin_extensions import AdminExtension, admin_extension_register
from matching.admin.permissions import has_review_permission
from matching.models import CigarCustomsMatch, MatchStatus, ReviewGroupMember
from matching.services.groups import brand_mark_not_carried


def _brand_key(brand: Brand) -> str:
    # A catalogue brand's labels are keyed by its id (matching.services.groups).
    return f"b{brand.pk}"


def with_pending_lines(queryset: QuerySet[Brand]) -> QuerySet[Brand]:
    """Each brand's lines pending review (one subquery for the whole page)."""
    lines = (
        ReviewGroupMember.objects.filter(
            brand_key=Concat(Value("b"), Cast(OuterRef("pk"), CharField())),
            price_entry_id__in=CigarCustomsMatch.objects.filter(
                status=MatchStatus.PENDING_REVIEW, rank=1
            ).values("price_entry_id"),
        )
        .order_by()
        .values("brand_key")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return queryset.annotate(pending_label_lines=Coalesce(Subquery(lines), 0))


def pending_labels(model_admin: ModelAdmin, brand: Brand) -> str:
    lines = getattr(brand, "pending_label_lines", 0)
    if not lines:
        return "—"
    url = reverse("admin:matching_cigarcustomsmatch_changelist")
    return format_html(
        '<a href="{}?label_brand={}">{} line(s): review this brand</a>',
        url,
        _brand_key(brand),
        lines,
    )


pending_labels.short_description = "Pending review"  # type: ignore[attr-defined]


@admin.action(
    description="Not carried: every pending label of the brand is not in the catalogue",
    permissions=["review"],
)
def brands_not_carried(model_admin: ModelAdmin, request, queryset: QuerySet[Brand]) -> None:
    settled = 0
    for brand in queryset:
        settled += brand_mark_not_carried(brand_key=_brand_key(brand), actor=request.user).lines
    model_admin.message_user(
        request,
        f"{queryset.count()} brand(s) not carried: {settled} line(s) marked not in the catalogue.",
        messages.SUCCESS,
    )


admin_extension_register(
    Brand,
    AdminExtension(
        name="matching.review_console",
        columns_after=("pending_labels",),
        actions=(brands_not_carried,),
        queryset=with_pending_lines,
        methods={
            "pending_labels": pending_labels,
            "has_review_permission": has_review_permission,
        },
    ),
)
