from __future__ import annotations

from django.contrib import admin

from matching.models import CigarCustomsMatch, MatchEvent


@admin.register(CigarCustomsMatch)
class CigarCustomsMatchAdmin(admin.ModelAdmin):
    list_display = ("price_entry", "cigar", "status", "score", "match_method", "rank", "decided_by")
    list_filter = ("status", "match_method", "price_entry__publication__source")
    search_fields = ("price_entry__raw_label", "cigar__full_name")
    list_select_related = ("price_entry", "cigar", "decided_by")
    raw_id_fields = ("cigar", "price_entry", "decided_by")


@admin.register(MatchEvent)
class MatchEventAdmin(admin.ModelAdmin):
    """The audit trail is read-only: events are written by the decision services."""

    list_display = ("match", "from_status", "to_status", "actor", "score", "created_at")
    list_filter = ("to_status",)
    search_fields = ("match__price_entry__raw_label", "note")
    list_select_related = ("actor",)
    readonly_fields = ("match", "actor", "from_status", "to_status", "score", "note", "created_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
