"""The admin dashboard's count of price changes held for review."""

from __future__ import annotations

from django import template

from watch.models import SuspectChange, SuspectStatus

register = template.Library()


@register.simple_tag
def held_price_changes() -> int:
    return SuspectChange.objects.filter(status=SuspectStatus.PENDING).count()
