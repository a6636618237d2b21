"""The catalogue's schedule (django-q2), registered idempotently after ``migrate``.

``catalogue.tasks.embed_missing_cigars`` gives a vector to every cigar created or renamed
since its last run.
"""

from __future__ import annotations

from cigarspace.schedules import schedule_ensure

EMBED_SCHEDULE_NAME = "catalogue: embed new and renamed cigars"
EMBED_EVERY_MINUTES = 10


def schedules_register(*, using: str = "default") -> list[str]:
    from django_q.models import Schedule

    return [
        schedule_ensure(
            name=EMBED_SCHEDULE_NAME,
            func="catalogue.tasks.embed_missing_cigars",
            schedule_type=Schedule.MINUTES,
            minutes=EMBED_EVERY_MINUTES,
            using=using,
        )
    ]
