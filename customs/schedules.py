"""The customs schedules are rows (django-q2), registered idempotently.

One discovery per enabled source that can carry prices and has automatic discovery, at
the cadence its discovery adapter names (daily; weekly for the CMT snapshots), and an
hourly sweep that resumes pending publications. Sources that stop qualifying lose their
schedule. The post_migrate handler in ``customs.apps`` calls ``schedules_register`` after
every ``migrate``.
"""

from __future__ import annotations

from django.db import transaction

from cigarspace.schedules import schedule_ensure, schedules_prune
from customs.selectors import sources_for_scheduled_discovery

DISCOVERY_PREFIX = "customs: discover "
SWEEP_NAME = "customs: ingest pending publications"


def discovery_schedule_name(slug: str) -> str:
    return f"{DISCOVERY_PREFIX}{slug}"


@transaction.atomic
def schedules_register(*, using: str = "default") -> list[str]:
    from django_q.models import Schedule

    from customs.adapters import discovery_adapters

    # The channel says how often it is worth asking (the CMT list: weekly snapshots).
    cadences = {"daily": Schedule.DAILY, "weekly": Schedule.WEEKLY}
    adapters = discovery_adapters()
    names = [
        schedule_ensure(
            name=discovery_schedule_name(source.slug),
            func="customs.tasks.discover_source",
            args=(source.slug,),
            schedule_type=cadences.get(
                getattr(adapters.get(source.discovery_adapter), "cadence", "daily"),
                Schedule.DAILY,
            ),
            using=using,
        )
        for source in sources_for_scheduled_discovery().using(using)
    ]
    schedules_prune(prefix=DISCOVERY_PREFIX, keep=names, using=using)
    names.append(
        schedule_ensure(
            name=SWEEP_NAME,
            func="customs.tasks.ingest_pending",
            schedule_type=Schedule.HOURLY,
            using=using,
        )
    )
    return names
