"""Suspect changes held, then confirmed (the alerts go out) or marked a source error (they
never do); decided from the admin, counted on the dashboard."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import OperatorFactory
from tests.watch.conftest import SUSPECT_LABEL, cigar_of, entry_of
from watch.models import HoldState, SuspectChange, SuspectReason, SuspectStatus, WatchEvent
from watch.services import (
    ItemSpec,
    SuspectAlreadyDecided,
    endpoint_create,
    publication_events_compute,
    suspect_confirm,
    suspect_reject,
    watchlist_create,
)
from watch.services.suspects import suspect_reason
from watch.tasks import publication_events, queue_delivery

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old_unit", "new_unit", "old_pack", "new_pack", "pack", "expected"),
    [
        ("10.00", "10.50", "250.00", "262.50", 25, None),
        ("10.00", "17.49", "250.00", "437.25", 25, None),
        ("10.00", "17.50", "250.00", "437.50", 25, SuspectReason.RATIO),
        ("10.00", "5.71", "250.00", "142.75", 25, SuspectReason.RATIO),
        ("4.10", "41.00", "41.00", "41.00", 10, SuspectReason.PACK_IN_UNIT),
        (None, None, "250.00", "500.00", 25, SuspectReason.RATIO),
        (None, "10.00", None, "250.00", 25, None),
    ],
)
def test_the_suspect_rule(old_unit, new_unit, old_pack, new_pack, pack, expected):
    def d(value):
        return Decimal(value) if value else None

    found = suspect_reason(
        old_unit=d(old_unit),
        new_unit=d(new_unit),
        old_pack=d(old_pack),
        new_pack=d(new_pack),
        pack_size=pack,
    )
    assert (found[0] if found else None) == expected


def test_the_ratio_is_a_setting(settings):
    settings.WATCH_SUSPECT_RATIO = 1.2
    found = suspect_reason(
        old_unit=Decimal("10"), new_unit=Decimal("12.5"), old_pack=None, new_pack=None, pack_size=1
    )
    assert found is not None


def cigar_of_entry(entry):
    return entry.matches.get().cigar


@pytest.fixture
def held(demo_editions, owner, receiver, django_capture_on_commit_callbacks):
    a, b = demo_editions
    watchlist_create(
        owner=owner, name="w", items=[ItemSpec("cigar", cigar_of(a, SUSPECT_LABEL).pk)]
    )
    _endpoint, receiver.secret = endpoint_create(owner=owner, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        publication_events(b.pk)  # the task: events, then the deliveries and digests
    suspect = SuspectChange.objects.get(entry=entry_of(b, SUSPECT_LABEL))
    return suspect


def test_a_held_change_sends_nothing_until_confirmed(
    held, receiver, mailoutbox, django_capture_on_commit_callbacks
):
    assert held.status == SuspectStatus.PENDING
    assert receiver.received == []
    assert mailoutbox == []
    event = WatchEvent.objects.get(entry=held.entry)
    assert event.hold == HoldState.HELD
    with django_capture_on_commit_callbacks(execute=True):
        released = suspect_confirm(suspect=held, actor=OperatorFactory(), note="checked")
        queue_delivery(publication_id=held.entry.publication_id, event_ids=released)
    event.refresh_from_db()
    assert event.hold == HoldState.RELEASED
    assert [r["body"]["id"] for r in receiver.received] == [event.pk]
    assert receiver.received[0]["valid"]
    assert len(mailoutbox) == 1
    assert cigar_of_entry(held.entry).full_name in mailoutbox[0].body
    with pytest.raises(SuspectAlreadyDecided):
        suspect_reject(suspect=held, actor=OperatorFactory())


def test_a_source_error_suppresses_the_alerts_for_good(held, receiver, mailoutbox):
    suspect_reject(suspect=held, actor=OperatorFactory(), note="pack price in the unit column")
    held.refresh_from_db()
    assert held.status == SuspectStatus.SOURCE_ERROR
    assert held.decided_by is not None
    event = WatchEvent.objects.get(entry=held.entry)
    assert event.hold == HoldState.SUPPRESSED
    # Recomputing the edition changes nothing: no second event, nothing released.
    publication_events_compute(publication_id=held.entry.publication_id)
    assert WatchEvent.objects.filter(entry=held.entry).count() == 1
    assert receiver.received == []


def test_operators_decide_from_the_admin_and_the_dashboard_counts_held_changes(
    held, admin_client_logged_in, receiver, django_capture_on_commit_callbacks
):
    client = admin_client_logged_in
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    pending = SuspectChange.objects.filter(status=SuspectStatus.PENDING).count()
    assert pending == 2  # the Decimos and the renamed Davidoff of edition B
    assert f'id="dashboard-held">{pending}<'.encode() in index.content
    changelist = reverse("admin:watch_suspectchange_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    assert SUSPECT_LABEL.encode() in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist,
            {"action": "confirm_changes", "_selected_action": [held.pk]},
            follow=True,
        )
    assert response.status_code == 200
    held.refresh_from_db()
    assert held.status == SuspectStatus.CONFIRMED
    assert len(receiver.received) == 1
    assert f'id="dashboard-held">{pending - 1}<'.encode() in client.get("/admin/").content
