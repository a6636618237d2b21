"""The customs schedules are rows (django-q2), registered idempotently.

One discovery per enabled source that can carry prices and has automatic discovery, at
the cadence its discovery adapter names (daily; weekly for the CMT snapshots), and an
hourly sweep that resumes pending publications. Sources that stop qualifying lose their
schedule. The post_migrate handler in ``customs.apps`` calls ``schedules_register`` after
every ``migrate``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from customs.selectors import sources_for_scheduled_discovery

DISCOVERY_PREFIX = "customs: discover "
SWEEP_NAME = "customs: ingest pending publications"


def discovery_schedule_name(slug: str) -> str:
    return f"{DISCOVERY_PREFIX}{slug}"


@transaction.atomic
def schedules_register(*, using: str = "default") -> list[str]:
    from django_q.models import Schedule

    from customs.adapters import discovery_adapters

    cadences = {"daily": Schedule.DAILY, "weekly": Schedule.WEEKLY}
    adapters = discovery_adapters()
    names = []
    for source in sources_for_scheduled_discovery().using(using):
        name = discovery_schedule_name(source.slug)
        adapter = adapters.get(source.discovery_adapter)
        # The channel says how often it is worth asking (the CMT list: weekly snapshots).
        cadence = getattr(adapter, "cadence", "daily")
        defaults = {
            "func": "customs.tasks.discover_source",
            "args": repr((source.slug,)),
            "schedule_type": cadences.get(cadence, Schedule.DAILY),
            "repeats": -1,
        }
        # Only a new row gets a first run time: re-running migrate keeps the cadence.
        Schedule.objects.using(using).update_or_create(
            name=name, defaults=defaults, create_defaults={**defaults, "next_run": timezone.now()}
        )
        names.append(name)
    Schedule.objects.using(using).filter(name__startswith=DISCOVERY_PREFIX).exclude(
        name__in=names
    ).delete()
    sweep = {
        "func": "customs.tasks.ingest_pending",
        "schedule_type": Schedule.HOURLY,
        "repeats": -1,
    }
    Schedule.objects.using(using).update_or_create(
        name=SWEEP_NAME, defaults=sweep, create_defaults={**sweep, "next_run": timezone.now()}
    )
    names.append(SWEEP_NAME)
    return names
