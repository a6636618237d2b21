"""One django-q2 schedule per enabled merchant, registered idempotently.

``schedules_register`` runs after every ``migrate`` (merchants.apps) and after each
merchant write (merchants.services): a disabled or deleted merchant loses its schedule,
and re-registering keeps the cadence of an existing one.
"""

from __future__ import annotations

from django.db import transaction

from cigarspace.schedules import schedule_ensure, schedules_prune
from merchants.models import Merchant

PREFIX = "merchants: crawl "


def crawl_schedule_name(slug: str) -> str:
    return f"{PREFIX}{slug}"


@transaction.atomic
def schedules_register(*, using: str = "default") -> list[str]:
    from django_q.models import Schedule

    names = [
        schedule_ensure(
            name=crawl_schedule_name(merchant.slug),
            func="merchants.tasks.crawl_merchant",
            args=(merchant.slug,),
            schedule_type=Schedule.MINUTES,
            minutes=merchant.crawl_every_hours * 60,
            using=using,
        )
        for merchant in Merchant.objects.using(using).filter(enabled=True).order_by("slug")
    ]
    schedules_prune(prefix=PREFIX, keep=names, using=using)
    return names
