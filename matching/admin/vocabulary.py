"""What the matcher learned from decisions: visible, attributed and reversible.

Rows are written by the decision services only (a decision is what teaches); an operator
reverts a term (the matcher ignores it from its next run) or restores it. Each row lists
the decisions that counted for and against it.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from cigarspace.admin_base import ReadOnlyAdmin, ReadOnlyMixin
from matching.admin.permissions import ReviewPermissionMixin, can_review
from matching.models import LearnedVocabulary, VocabularyEvidence, VocabularyStatus
from matching.services.learning import vocabulary_restore, vocabulary_revert


class VocabularyEvidenceInline(
    ReadOnlyMixin, admin.TabularInline[VocabularyEvidence, LearnedVocabulary]
):
    model = VocabularyEvidence
    extra = 0
    can_delete = False
    fields = ("created_at", "confirms", "label", "cigar_name", "actor")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    verbose_name = "decision"
    verbose_name_plural = "decisions that taught it"

    def has_view_permission(self, request, obj=None) -> bool:
        return can_review(request.user) or super().has_view_permission(request, obj)


@admin.register(LearnedVocabulary)
class LearnedVocabularyAdmin(ReviewPermissionMixin, ReadOnlyAdmin[LearnedVocabulary]):
    # Viewing is allowed; the only changes are the revert/restore actions below. The
    # evidence of decisions is never erased: revert instead.
    deletable = False

    list_display = (
        "term",
        "brand",
        "kind",
        "status",
        "confirmations",
        "rejections",
        "updated_at",
        "reverted_by",
    )
    list_filter = ("status", "kind")
    search_fields = ("term", "brand__name")
    list_select_related = ("brand", "reverted_by")
    readonly_fields = (
        "brand",
        "kind",
        "term",
        "status",
        "confirmations",
        "rejections",
        "reverted_by",
        "reverted_at",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    inlines = (VocabularyEvidenceInline,)
    actions = ("revert_terms", "restore_terms")

    @admin.action(description="Revert: the matcher ignores these terms", permissions=["review"])
    def revert_terms(self, request: HttpRequest, queryset: QuerySet[LearnedVocabulary]) -> None:
        count = 0
        for vocabulary in queryset.exclude(status=VocabularyStatus.REVERTED):
            vocabulary_revert(vocabulary=vocabulary, actor=request.user)
            count += 1
        self.message_user(request, f"{count} term(s) reverted.", messages.SUCCESS)

    @admin.action(description="Restore: follow the decisions again", permissions=["review"])
    def restore_terms(self, request: HttpRequest, queryset: QuerySet[LearnedVocabulary]) -> None:
        count = 0
        for vocabulary in queryset.filter(status=VocabularyStatus.REVERTED):
            vocabulary_restore(vocabulary=vocabulary, actor=request.user)
            count += 1
        self.message_user(request, f"{count} term(s) restored.", messages.SUCCESS)
