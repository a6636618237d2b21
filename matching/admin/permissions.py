"""Who may use the review console.

One permission, ``matching.review_match``, opens the whole console to a staff user who is
not a superuser: the queue, the review pages, the bulk decisions, the publication and
cigar pages it links to, and the dashboard. Staff users without it see none of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    _AdminBase = ModelAdmin[Any]
else:
    _AdminBase = object

REVIEW_PERMISSION = "matching.review_match"


def can_review(user) -> bool:
    return bool(
        user is not None
        and user.is_active
        and getattr(user, "is_staff", False)
        and user.has_perm(REVIEW_PERMISSION)
    )


class ReviewPermissionMixin(_AdminBase):
    """For a ModelAdmin: reviewers may view it (and its module) on top of the model perms."""

    def has_view_permission(self, request, obj=None) -> bool:
        return can_review(request.user) or super().has_view_permission(request, obj)

    def has_module_permission(self, request) -> bool:
        return can_review(request.user) or super().has_module_permission(request)

    def has_review_permission(self, request) -> bool:
        # Used by ``@admin.action(permissions=["review"])``.
        return can_review(request.user)


def has_review_permission(model_admin, request) -> bool:
    """``has_review_permission`` for an admin extended by the console (an
    ``AdminExtension`` method): what ``@admin.action(permissions=["review"])`` asks."""
    return can_review(request.user)
