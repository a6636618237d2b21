"""One django-q2 schedule per enabled merchant, registered idempotently.

``schedules_register`` runs after every ``migrate`` (merchants.apps) and after each
merchant write (merchants.services): a disabled or deleted merchant loses its schedule,
and re-registering keeps the cadence of an existing one.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from merchants.models import Merchant

PREFIX = "merchants: crawl "


def crawl_schedule_name(slug: str) -> str:
    return f"{PREFIX}{slug}"


@transaction.atomic
def schedules_register(*, using: str = "default") -> list[str]:
    from django_q.models import Schedule

    names = []
    for merchant in Merchant.objects.using(using).filter(enabled=True).order_by("slug"):
        name = crawl_schedule_name(merchant.slug)
        defaults = {
            "func": "merchants.tasks.crawl_merchant",
            "args": repr((merchant.slug,)),
            "schedule_type": Schedule.MINUTES,
            "minutes": merchant.crawl_every_hours * 60,
            "repeats": -1,
        }
        # Only a new row gets a first run time: re-registering keeps the cadence.
        Schedule.objects.using(using).update_or_create(
            name=name, defaults=defaults, create_defaults={**defaults, "next_run": timezone.now()}
        )
        names.append(name)
    Schedule.objects.using(using).filter(name__startswith=PREFIX).exclude(name__in=names).delete()
    return names
