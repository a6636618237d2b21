"""Background tasks of the catalogue (django-q2) and their schedule.

``embed_missing_cigars`` gives a vector to every cigar created or renamed since the last
run (a rename clears the vector: see catalogue.services). The schedule is a row,
registered idempotently by ``register_schedules()`` from the post_migrate handler in
catalogue.apps.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from catalogue.services import cigar_embed

logger = logging.getLogger(__name__)

EMBED_SCHEDULE_NAME = "catalogue: embed new and renamed cigars"
EMBED_EVERY_MINUTES = 10


def embed_missing_cigars() -> int:
    result = cigar_embed(mode="missing")
    logger.info("Embedded %d cigar(s) with %s.", result.embedded, result.model)
    return result.embedded


def register_schedules(*, using: str = "default") -> None:
    from django_q.models import Schedule

    defaults = {
        "func": "catalogue.tasks.embed_missing_cigars",
        "schedule_type": Schedule.MINUTES,
        "minutes": EMBED_EVERY_MINUTES,
        "repeats": -1,
    }
    Schedule.objects.using(using).update_or_create(
        name=EMBED_SCHEDULE_NAME,
        defaults=defaults,
        # Only a new row gets a first run time: re-running migrate keeps the cadence.
        create_defaults={**defaults, "next_run": timezone.now()},
    )
