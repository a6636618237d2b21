"""Matching's schedules are rows (django-q2), registered idempotently after ``migrate``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

MATCH_PENDING = "matching: match entries never scored"
EMBED_MISSING = "matching: embed new price entries"

SCHEDULES = {
    MATCH_PENDING: {"func": "matching.tasks.match_pending", "schedule_type": "H"},
    EMBED_MISSING: {"func": "matching.tasks.embed_missing", "schedule_type": "H"},
}


@transaction.atomic
def schedules_register(*, using: str = "default") -> list[str]:
    from django_q.models import Schedule

    for name, spec in SCHEDULES.items():
        defaults = {**spec, "repeats": -1}
        # Only a new row gets a first run time: re-running migrate keeps the cadence.
        Schedule.objects.using(using).update_or_create(
            name=name, defaults=defaults, create_defaults={**defaults, "next_run": timezone.now()}
        )
    return list(SCHEDULES)
