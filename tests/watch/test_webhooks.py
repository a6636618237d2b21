"""Webhooks against a local HTTP server on 127.0.0.1: signatures a receiver verifies,
retries with backoff on a controlled clock, giving up after 24 h, disabling an endpoint
after repeated failures, replay, and private addresses refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import CustomsPriceEntryFactory, CustomsPublicationFactory, UserFactory
from watch.models import (
    DeliveryStatus,
    EventKind,
    WatchEvent,
    Watchlist,
    WebhookAttempt,
    WebhookEndpoint,
)
from watch.services import (
    WebhookUrlRefused,
    deliveries_create,
    deliveries_send_due,
    delivery_replay,
    endpoint_create,
)
from watch.services.webhooks import backoff, signature, signature_verify

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)


def _events(owner, count: int = 1) -> list[WatchEvent]:
    watchlist = Watchlist.objects.create(owner=owner, name="w")
    publication = CustomsPublicationFactory(status="ingested")
    events = []
    for _ in range(count):
        entry = CustomsPriceEntryFactory(publication=publication)
        events.append(
            WatchEvent.objects.create(
                watchlist=watchlist,
                kind=EventKind.PRICE_CHANGE,
                publication=publication,
                entry=entry,
                payload={"entry_id": entry.pk, "unit_price": "82.00", "old_unit_price": "80.00"},
            )
        )
    WatchEvent.objects.filter(pk__in=[e.pk for e in events]).update(created_at=T0)
    return events


def _created_before_t0(endpoint):
    # An endpoint gets the events made after it existed: these are made at T0.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(created_at=T0 - dt.timedelta(hours=1))
    return endpoint


@pytest.fixture
def endpoint(receiver, owner):
    endpoint, secret = endpoint_create(owner=owner, url=receiver.url)
    receiver.secret = secret
    return _created_before_t0(endpoint)


def _deliver(events, now=T0) -> None:
    deliveries_create(event_ids=[e.pk for e in events], now=now)


def test_a_receiver_verifies_the_signature_over_timestamp_and_body(receiver, endpoint, owner):
    (event,) = _events(owner)
    _deliver([event])
    outcome = deliveries_send_due(now=T0)
    assert outcome.succeeded == 1
    (got,) = receiver.received
    assert got["valid"]
    assert got["timestamp"] == str(int(T0.timestamp()))
    assert got["event"] == EventKind.PRICE_CHANGE
    assert got["body"]["id"] == event.pk
    assert got["body"]["data"]["unit_price"] == "82.00"
    delivery = event.deliveries.get()
    assert got["delivery"] == str(delivery.pk)
    assert delivery.status == DeliveryStatus.SUCCEEDED


def test_signature_verify_refuses_a_tampered_body_or_an_old_timestamp():

    header = signature("s3cret", 1_700_000_000, b'{"a":1}')
    ok = {"secret": "s3cret", "timestamp": "1700000000", "header": header}
    assert signature_verify(body=b'{"a":1}', now=1_700_000_100, **ok)
    assert not signature_verify(body=b'{"a":2}', now=1_700_000_100, **ok)
    assert not signature_verify(body=b'{"a":1}', now=1_700_001_000, **ok)


def test_failures_are_retried_with_exponential_backoff_on_the_controlled_clock(
    receiver, endpoint, owner, settings
):
    settings.WATCH_WEBHOOK_BACKOFF_SECONDS = 30
    receiver.statuses = [500, 503]
    (event,) = _events(owner)
    _deliver([event])
    delivery = event.deliveries.get()

    assert deliveries_send_due(now=T0).failed == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.next_attempt_at == T0 + dt.timedelta(seconds=30)
    # Not due yet: nothing is sent.
    assert deliveries_send_due(now=T0 + dt.timedelta(seconds=29)).attempted == 0
    assert deliveries_send_due(now=T0 + dt.timedelta(seconds=30)).failed == 1
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == T0 + dt.timedelta(seconds=30 + 60)
    assert deliveries_send_due(now=T0 + dt.timedelta(seconds=90)).succeeded == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 3
    assert [a.status_code for a in delivery.attempt_log.order_by("attempted_at")] == [500, 503, 200]
    assert len(receiver.received) == 3
    assert len({r["delivery"] for r in receiver.received}) == 1  # one id to deduplicate on
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_a_delivery_gives_up_after_24_hours_and_the_endpoint_says_why(
    receiver, endpoint, owner, settings
):
    settings.WATCH_WEBHOOK_BACKOFF_SECONDS = 30
    receiver.statuses = [500] * 100
    (event,) = _events(owner)
    _deliver([event])
    delivery = event.deliveries.get()
    now = T0
    while True:
        deliveries_send_due(now=now)
        delivery.refresh_from_db()
        if delivery.status != DeliveryStatus.RETRYING:
            break
        assert delivery.next_attempt_at - now == backoff(delivery.attempts)
        now = delivery.next_attempt_at
    assert delivery.status == DeliveryStatus.FAILED
    assert now <= T0 + dt.timedelta(hours=24)
    assert delivery.attempts == len(receiver.received) > 10
    assert now - T0 > dt.timedelta(hours=20)  # retried across the whole day
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "24 h" in endpoint.disabled_reason
    assert "HTTP 500" in endpoint.disabled_reason


def test_an_endpoint_is_disabled_after_repeated_failures_and_sends_nothing_more(
    receiver, endpoint, owner, settings
):
    settings.WATCH_WEBHOOK_DISABLE_AFTER = 3
    receiver.statuses = [500] * 10
    events = _events(owner, count=5)
    _deliver(events)
    outcome = deliveries_send_due(now=T0)
    assert outcome.attempted == 3
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason.startswith("3 failed attempts in a row")
    assert len(receiver.received) == 3
    # Later retries of a disabled endpoint are not sent.
    assert deliveries_send_due(now=T0 + dt.timedelta(days=1)).attempted == 0
    assert len(receiver.received) == 3


def test_replay_sends_the_same_delivery_again_and_logs_it(receiver, endpoint, owner):
    (event,) = _events(owner)
    _deliver([event])
    deliveries_send_due(now=T0)
    delivery = event.deliveries.get()
    result = delivery_replay(delivery=delivery, now=T0 + dt.timedelta(hours=1))
    assert result.ok
    assert len(receiver.received) == 2
    assert receiver.received[0]["delivery"] == receiver.received[1]["delivery"]
    assert receiver.received[1]["valid"]
    log = list(delivery.attempt_log.order_by("attempted_at").values_list("replay", flat=True))
    assert log == [False, True]


def test_a_delivery_is_created_once_per_endpoint_and_event(receiver, endpoint, owner):
    events = _events(owner, count=2)
    assert deliveries_create(event_ids=[e.pk for e in events], now=T0) == 2
    assert deliveries_create(event_ids=[e.pk for e in events], now=T0) == 0
    deliveries_send_due(now=T0)
    deliveries_send_due(now=T0 + dt.timedelta(hours=1))
    assert sorted(r["body"]["id"] for r in receiver.received) == sorted(e.pk for e in events)


def test_another_users_endpoint_never_gets_my_events(receiver, endpoint, owner):
    stranger = UserFactory(email="stranger@example.com")
    _created_before_t0(endpoint_create(owner=stranger, url=receiver.url + "?other")[0])
    (event,) = _events(owner)
    _deliver([event])
    deliveries_send_due(now=T0)
    assert len(receiver.received) == 1


def test_a_private_address_is_refused(receiver, owner, settings):
    # Allowed while the endpoint is created (the tests' own server), then no longer.
    endpoint = _created_before_t0(endpoint_create(owner=owner, url=receiver.url)[0])
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = []
    with pytest.raises(WebhookUrlRefused, match="loopback"):
        endpoint_create(owner=owner, url=receiver.url)
    with pytest.raises(WebhookUrlRefused, match="private"):
        endpoint_create(owner=owner, url="http://10.1.2.3/hook")
    (event,) = _events(owner)
    _deliver([event])
    deliveries_send_due(now=timezone.now())
    assert receiver.received == []
    delivery = event.deliveries.get()
    assert delivery.status == DeliveryStatus.FAILED
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "refused" in endpoint.disabled_reason
    assert WebhookAttempt.objects.get(delivery=delivery).status_code is None


def test_operators_replay_a_delivery_from_the_admin(
    receiver, endpoint, owner, admin_client_logged_in
):
    (event,) = _events(owner)
    _deliver([event])
    deliveries_send_due(now=T0)
    delivery = event.deliveries.get()
    changelist = "/admin/watch/webhookdelivery/"
    page = admin_client_logged_in.get(f"{changelist}{delivery.pk}/change/")
    assert page.status_code == 200
    response = admin_client_logged_in.post(
        changelist, {"action": "replay", "_selected_action": [delivery.pk]}, follow=True
    )
    assert response.status_code == 200
    assert b"Replayed: 1 delivered, 0 failed." in response.content
    assert len(receiver.received) == 2
    assert delivery.attempt_log.filter(replay=True).count() == 1
