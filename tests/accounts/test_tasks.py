"""The pruning task and its schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task, result

from accounts.models import RefreshToken
from accounts.schedules import PRUNE_SCHEDULE_NAME, schedules_register
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_task_prunes_expired_tokens_through_the_queue():
    f.RefreshTokenFactory(expires_at=timezone.now() - dt.timedelta(hours=1))
    live = f.RefreshTokenFactory()
    # Q_CLUSTER["sync"] is on in tests: the task runs here, like a worker would run it.
    task_id = async_task("accounts.tasks.prune_expired_refresh_tokens")
    assert result(task_id) == 1
    assert list(RefreshToken.objects.values_list("pk", flat=True)) == [live.pk]


def test_migrate_registered_exactly_one_hourly_schedule():
    schedule = Schedule.objects.get(name=PRUNE_SCHEDULE_NAME)
    assert schedule.func == "accounts.tasks.prune_expired_refresh_tokens"
    assert schedule.schedule_type == Schedule.HOURLY
    assert schedule.repeats == -1


def test_registering_again_is_idempotent_and_keeps_the_next_run():
    schedule = Schedule.objects.get(name=PRUNE_SCHEDULE_NAME)
    later = timezone.now() + dt.timedelta(minutes=37)
    Schedule.objects.filter(pk=schedule.pk).update(next_run=later, func="stale.path")
    schedules_register()
    call_command("migrate", "accounts", verbosity=0)  # post_migrate registers it as well
    rows = Schedule.objects.filter(name=PRUNE_SCHEDULE_NAME)
    assert rows.count() == 1
    assert rows.get().next_run == later
    assert rows.get().func == "accounts.tasks.prune_expired_refresh_tokens"
