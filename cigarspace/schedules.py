"""django-q2 schedules, registered one way by every app.

Each app that schedules work has a ``<app>/schedules.py`` whose ``schedules_register(*,
using)`` writes its rows idempotently and returns their names; its ``AppConfig.ready()``
calls ``schedules_after_migrate(self)`` so that every ``migrate`` (the container runs one
on boot) leaves exactly one up-to-date row per schedule.
"""

from __future__ import annotations

from collections.abc import Collection
from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils import timezone


def schedule_ensure(
    *,
    name: str,
    func: str,
    schedule_type: str,
    using: str = "default",
    args: tuple[Any, ...] | None = None,
    minutes: int | None = None,
) -> str:
    """Create or update the schedule ``name``. Only a new row gets a first run time (now):
    re-running migrate keeps an existing schedule's cadence."""
    from django_q.models import Schedule

    defaults: dict[str, Any] = {"func": func, "schedule_type": schedule_type, "repeats": -1}
    if args is not None:
        defaults["args"] = repr(args)
    if minutes is not None:
        defaults["minutes"] = minutes
    Schedule.objects.using(using).update_or_create(
        name=name, defaults=defaults, create_defaults={**defaults, "next_run": timezone.now()}
    )
    return name


def schedules_prune(*, prefix: str, keep: Collection[str], using: str = "default") -> int:
    """Delete the schedules named ``prefix…`` that are not in ``keep`` (a source or a
    merchant that no longer qualifies)."""
    from django_q.models import Schedule

    deleted, _ = (
        Schedule.objects.using(using)
        .filter(name__startswith=prefix)
        .exclude(name__in=list(keep))
        .delete()
    )
    return deleted


def _register_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    import_module(f"{sender.name}.schedules").schedules_register(using=using)


def schedules_after_migrate(app_config: AppConfig) -> None:
    """Run ``<app>.schedules.schedules_register`` after each migrate of the app (then the
    django_q tables exist)."""
    post_migrate.connect(
        _register_after_migrate,
        sender=app_config,
        dispatch_uid=f"{app_config.label}.schedules_register",
    )
