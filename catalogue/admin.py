from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from catalogue import services
from catalogue.media_assets import media_asset_set_primary
from catalogue.models import (
    BlendComponent,
    Brand,
    Cigar,
    CigarAlias,
    CigarAliasEvent,
    CigarLine,
    CigarPackage,
    MediaAsset,
    SourceRecord,
    TastingNote,
)
from cigarspace.admin_base import ReadOnlyAdmin
from cigarspace.admin_extensions import ExtensibleAdmin
from media.admin import blob_preview_html


@admin.register(Brand)
class BrandAdmin(ExtensibleAdmin[Brand]):
    list_display = ("name", "slug", "country", "updated_at")
    list_filter = ("country",)
    search_fields = ("name", "slug")
    readonly_fields = ("slug", "created_at", "updated_at")

    def save_model(self, request, obj, form, change) -> None:
        # Through the service: the slug follows the name and a rename renames the cigars.
        services.brand_save_instance(brand=obj)


@admin.register(CigarLine)
class CigarLineAdmin(admin.ModelAdmin[CigarLine]):
    list_display = ("name", "brand", "slug", "updated_at")
    list_filter = ("brand",)
    search_fields = ("name", "brand__name")
    list_select_related = ("brand",)
    autocomplete_fields = ("brand",)
    readonly_fields = ("slug", "created_at", "updated_at")

    def save_model(self, request, obj, form, change) -> None:
        services.line_save_instance(line=obj)


class BlendComponentInline(admin.TabularInline[BlendComponent, Cigar]):
    model = BlendComponent
    extra = 0


class CigarPackageInline(admin.TabularInline[CigarPackage, Cigar]):
    model = CigarPackage
    extra = 0


class MediaAssetInline(admin.TabularInline[MediaAsset, Cigar]):
    """A cigar's pictures with thumbnails. New pictures come from ``media_add`` or the API
    (they go through image intake); here operators pick the primary, order and retype.

    The primary flag is saved through ``media_asset_set_primary``: ticking another picture
    and saving moves the flag in one transaction instead of hitting the unique index.
    """

    class Formset(BaseInlineFormSet):
        def clean(self) -> None:
            super().clean()
            chosen = [
                form
                for form in self.forms
                if form.cleaned_data.get("is_primary") and not form.cleaned_data.get("DELETE")
            ]
            if len(chosen) > 1:
                raise ValidationError("A cigar has one primary picture: tick only one.")
            self.chosen_primary = chosen[0] if chosen else None

        def save(self, commit: bool = True):
            chosen = getattr(self, "chosen_primary", None)
            if chosen is not None and commit:
                # Saved unflagged first, then flagged by the service (old one unset).
                chosen.instance.is_primary = False
            saved = super().save(commit=commit)
            if chosen is not None and commit and chosen.instance.pk:
                media_asset_set_primary(asset=chosen.instance)
            return saved

    model = MediaAsset
    formset = Formset
    extra = 0
    raw_id_fields = ("blob",)
    fields = ("preview", "asset_type", "is_primary", "position", "original_url", "blob")
    readonly_fields = ("preview",)
    ordering = ("-is_primary", "position", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("blob")

    @admin.display(description="Picture")
    def preview(self, obj: MediaAsset) -> str:
        return blob_preview_html(obj.blob if obj.blob_id else None)


@admin.register(Cigar)
class CigarAdmin(ExtensibleAdmin[Cigar]):
    """Other apps add columns, panels, inlines and actions through
    ``cigarspace.admin_extensions`` (the review console: prices, pictures, merge)."""

    list_display = (
        "full_name",
        "vitola_de_galera",
        "length_mm",
        "ring_gauge",
        "strength",
        "is_discontinued",
        "needs_review",
    )
    list_filter = ("is_discontinued", "needs_review", "strength", "line__brand")
    search_fields = ("full_name", "vitola_de_galera", "external_id", "slug")
    list_select_related = ("line__brand",)
    autocomplete_fields = ("line",)
    readonly_fields = ("full_name", "slug", "embedding_model", "created_at", "updated_at")
    exclude = ("embedding", "search_name")
    inlines = (BlendComponentInline, CigarPackageInline, MediaAssetInline)

    def save_model(self, request, obj, form, change) -> None:
        # full_name, search_name and slug are derived: the service computes them.
        services.cigar_save_instance(cigar=obj)

    def get_deleted_objects(self, objs, request):
        # The admin lists what a delete would cascade to; a cigar something refers to is
        # refused by the service, so say so on the confirmation page instead.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected)
        for cigar in objs:
            references = services.cigar_references(cigar=cigar)
            if references:
                listed = services.describe_references(references)
                protected.append(f"{cigar}: {listed} (merge the duplicate instead)")
        if protected:
            # The refusal is the protection, not a missing permission on the protected rows
            # (the admin would otherwise report that first and hide the list).
            perms_needed = set()
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj) -> None:
        services.cigar_delete(cigar=obj)

    def delete_queryset(self, request, queryset) -> None:
        for cigar in queryset:
            services.cigar_delete(cigar=cigar)


@admin.register(CigarPackage)
class CigarPackageAdmin(admin.ModelAdmin[CigarPackage]):
    list_display = (
        "cigar",
        "pack_size",
        "packaging",
        "price",
        "currency",
        "merchant",
        "is_available",
    )
    list_filter = ("packaging", "currency", "is_available")
    search_fields = ("cigar__full_name", "merchant")
    list_select_related = ("cigar",)
    raw_id_fields = ("cigar",)


@admin.register(TastingNote)
class TastingNoteAdmin(admin.ModelAdmin[TastingNote]):
    list_display = ("cigar", "reviewer", "score", "tasted_on")
    search_fields = ("cigar__full_name", "reviewer")
    list_select_related = ("cigar",)
    raw_id_fields = ("cigar",)


@admin.register(SourceRecord)
class SourceRecordAdmin(admin.ModelAdmin[SourceRecord]):
    list_display = ("url", "parser", "parser_version", "http_status", "fetched_at")
    list_filter = ("parser", "http_status")
    search_fields = ("url", "content_hash")
    raw_id_fields = ("cigar",)
    date_hierarchy = "fetched_at"


class CigarAliasForm(forms.ModelForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="Why the label memory changes: kept in the alias audit with your name.",
    )

    class Meta:
        model = CigarAlias
        fields = ("source_slug", "normalised_label", "kind", "cigar", "note")


# Deleting from the admin has no form to ask why: this reason goes into the audit.
ADMIN_DELETE_REASON = "deleted in the admin"


@admin.register(CigarAlias)
class CigarAliasAdmin(admin.ModelAdmin[CigarAlias]):
    """The label memory: every edit goes through the alias services and is audited."""

    form = CigarAliasForm
    list_display = ("normalised_label", "source_slug", "kind", "cigar", "created_by", "created_at")
    list_filter = ("kind", "source_slug")
    search_fields = ("normalised_label", "cigar__full_name")
    list_select_related = ("cigar", "created_by")
    raw_id_fields = ("cigar",)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        services.alias_save(alias=obj, actor=request.user, reason=form.cleaned_data["reason"])

    def delete_model(self, request, obj) -> None:
        services.alias_delete(alias=obj, actor=request.user, reason=ADMIN_DELETE_REASON)

    def delete_queryset(self, request, queryset) -> None:
        for alias in queryset:
            services.alias_delete(alias=alias, actor=request.user, reason=ADMIN_DELETE_REASON)


@admin.register(CigarAliasEvent)
class CigarAliasEventAdmin(ReadOnlyAdmin[CigarAliasEvent]):
    """The alias audit: read-only, append-only."""

    deletable = False

    list_display = ("created_at", "action", "normalised_label", "source_slug", "actor", "reason")
    list_filter = ("action", "source_slug")
    search_fields = ("normalised_label", "reason")
    list_select_related = ("actor",)


@admin.register(MediaAsset)
class MediaAssetAdmin(admin.ModelAdmin[MediaAsset]):
    list_display = ("cigar", "asset_type", "is_primary", "position", "created_at")
    list_filter = ("asset_type", "is_primary")
    search_fields = ("cigar__full_name", "original_url", "blob__digest")
    list_select_related = ("cigar",)
    raw_id_fields = ("cigar", "blob")


@admin.register(BlendComponent)
class BlendComponentAdmin(admin.ModelAdmin[BlendComponent]):
    list_display = ("cigar", "role", "leaf", "country", "position")
    list_filter = ("role",)
    search_fields = ("cigar__full_name", "leaf", "country")
    raw_id_fields = ("cigar",)
