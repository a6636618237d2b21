"""The accounts schedule (django-q2), registered idempotently after ``migrate``."""

from __future__ import annotations

from cigarspace.schedules import schedule_ensure

PRUNE_SCHEDULE_NAME = "accounts: prune expired refresh tokens"


def schedules_register(*, using: str = "default") -> list[str]:
    from django_q.models import Schedule

    return [
        schedule_ensure(
            name=PRUNE_SCHEDULE_NAME,
            func="accounts.tasks.prune_expired_refresh_tokens",
            schedule_type=Schedule.HOURLY,
            using=using,
        )
    ]
