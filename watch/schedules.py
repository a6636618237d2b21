"""The price watch's schedule (a django-q2 row, registered after every ``migrate``):
webhook retries that fell due are sent every minute."""

from __future__ import annotations

from django.db import transaction

from cigarspace.schedules import schedule_ensure

DELIVER_DUE = "watch: send due webhook deliveries"

SCHEDULES = {
    DELIVER_DUE: {"func": "watch.tasks.deliver_due", "schedule_type": "I", "minutes": 1},
}


@transaction.atomic
def schedules_register(*, using: str = "default") -> list[str]:
    return [schedule_ensure(name=name, using=using, **spec) for name, spec in SCHEDULES.items()]
