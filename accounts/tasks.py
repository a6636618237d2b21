"""Background tasks of the accounts app (django-q2) and their schedule.

The schedule is a row, registered idempotently by ``register_schedules()``; the
post_migrate handler in accounts.apps calls it, so every ``migrate`` (the container
entrypoint runs one on boot) leaves exactly one up-to-date row.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from accounts.services import refresh_tokens_prune

logger = logging.getLogger(__name__)

PRUNE_SCHEDULE_NAME = "accounts: prune expired refresh tokens"


def prune_expired_refresh_tokens() -> int:
    deleted = refresh_tokens_prune()
    logger.info("Pruned %d expired refresh tokens.", deleted)
    return deleted


def register_schedules(*, using: str = "default") -> None:
    from django_q.models import Schedule

    Schedule.objects.using(using).update_or_create(
        name=PRUNE_SCHEDULE_NAME,
        defaults={
            "func": "accounts.tasks.prune_expired_refresh_tokens",
            "schedule_type": Schedule.HOURLY,
            "repeats": -1,
        },
        # Only a new row gets a first run time: re-running migrate keeps the cadence.
        create_defaults={
            "func": "accounts.tasks.prune_expired_refresh_tokens",
            "schedule_type": Schedule.HOURLY,
            "repeats": -1,
            "next_run": timezone.now(),
        },
    )
