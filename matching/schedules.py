"""Matching's schedules are rows (django-q2), registered idempotently after ``migrate``."""

from __future__ import annotations

from django.db import transaction

from cigarspace.schedules import schedule_ensure

MATCH_PENDING = "matching: match entries never scored"
EMBED_MISSING = "matching: embed new price entries"

SCHEDULES = {
    MATCH_PENDING: {"func": "matching.tasks.match_pending", "schedule_type": "H"},
    EMBED_MISSING: {"func": "matching.tasks.embed_missing", "schedule_type": "H"},
}


@transaction.atomic
def schedules_register(*, using: str = "default") -> list[str]:
    return [schedule_ensure(name=name, using=using, **spec) for name, spec in SCHEDULES.items()]
