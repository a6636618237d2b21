"""Template tags of the review console (the admin index's dashboard)."""

from __future__ import annotations

from django import template

from matching.admin.dashboard import dashboard
from matching.admin.permissions import can_review

register = template.Library()


@register.simple_tag(takes_context=True)
def review_dashboard(context) -> dict | None:
    """The dashboard's figures, or None for users who may not review (they see the apps)."""
    request = context.get("request")
    if request is None or not can_review(request.user):
        return None
    return dashboard()
