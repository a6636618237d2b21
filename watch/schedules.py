"""The price watch's schedule (django-q2 rows), registered idempotently after ``migrate``:
webhook retries that fell due are sent every minute."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

DELIVER_DUE = "watch: send due webhook deliveries"

SCHEDULES = {
    DELIVER_DUE: {"func": "watch.tasks.deliver_due", "schedule_type": "I", "minutes": 1},
}


@transaction.atomic
def schedules_register(*, using: str = "default") -> list[str]:
    from django_q.models import Schedule

    for name, spec in SCHEDULES.items():
        defaults = {**spec, "repeats": -1}
        Schedule.objects.using(using).update_or_create(
            name=name, defaults=defaults, create_defaults={**defaults, "next_run": timezone.now()}
        )
    return list(SCHEDULES)
