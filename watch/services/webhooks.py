"""Signed webhooks: endpoints, one delivery per (endpoint, event), retries, the log.

The request is a JSON POST; the receiver checks it as payment and code-hosting webhooks
are checked::

    X-CigarSpace-Timestamp: 1767225600
    X-CigarSpace-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>
    X-CigarSpace-Event: price_change
    X-CigarSpace-Delivery: 42        (the same on a retry or a replay: deduplicate on it)

Signing the timestamp with the body lets a receiver refuse old requests (replays by a
third party). Delivery is at least once: a non-2xx answer, a time-out or a refused
connection is retried with exponential backoff (``WATCH_WEBHOOK_BACKOFF_SECONDS``,
doubling, at most six hours apart) until ``WATCH_WEBHOOK_RETRY_HOURS`` after the event;
then the delivery fails. An endpoint that fails ``WATCH_WEBHOOK_DISABLE_AFTER`` attempts
in a row, gives up a delivery, or resolves to an address the guard refuses, is disabled
with the reason. Every POST goes through the one HTTP client and its address guard.

Time is a parameter (``now``) everywhere, so that tests move the clock instead of waiting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from cigarspace.http import BlockedAddressError, HttpClient, HttpError, check_url_allowed
from watch.models import (
    DeliveryStatus,
    HoldState,
    WatchEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from watch.selectors import EVENT_RELATED, event_data

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-CigarSpace-Signature"
TIMESTAMP_HEADER = "X-CigarSpace-Timestamp"
EVENT_HEADER = "X-CigarSpace-Event"
DELIVERY_HEADER = "X-CigarSpace-Delivery"
SIGNATURE_VERSION = "v1"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix that names the kind of secret)
MAX_BACKOFF = dt.timedelta(hours=6)
# A claimed delivery is left alone by other senders for this long (a crashed sender's
# claim expires and the delivery is tried again: at least once).
CLAIM_LEASE = dt.timedelta(minutes=5)
RESPONSE_CAP_BYTES = 64 * 1024

Clock = Callable[[], dt.datetime]


class WebhookUrlRefused(ValueError):
    """The endpoint URL is not http(s), or names an address the guard refuses."""


# --- endpoints ------------------------------------------------------------------------------


def webhook_url_check(url: str) -> None:
    try:
        check_url_allowed(url)
    except HttpError as exc:
        raise WebhookUrlRefused(str(exc)) from None


def endpoint_create(
    *, owner, url: str, watchlist=None, description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret — returned here once, never shown again."""
    webhook_url_check(url)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        owner=owner, url=url, watchlist=watchlist, description=description, secret=secret
    )
    return endpoint, secret


def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str, now: dt.datetime) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=now, disabled_reason=reason[:2000]
    )
    logger.warning("webhook endpoint %s disabled: %s", endpoint.pk, reason)


def endpoint_enable(*, endpoint: WebhookEndpoint) -> None:
    """Back on: the failure count starts again; deliveries still within their 24 h go out."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=True, disabled_at=None, disabled_reason="", consecutive_failures=0
    )


# --- signing --------------------------------------------------------------------------------


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def signature_verify(
    *, secret: str, timestamp: str, body: bytes, header: str, now: float, tolerance: int = 300
) -> bool:
    """What a receiver does (documented in docs/price-watch.md; used by the demo receiver)."""
    try:
        age = abs(now - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(signature(secret, timestamp, body), header)


def event_body(event: WatchEvent) -> dict:
    return {
        "id": event.pk,
        "type": event.kind,
        "created_at": event.created_at,
        "watchlist": {"id": event.watchlist_id, "name": event.watchlist.name},
        "data": event_data(event),
    }


# --- deliveries -----------------------------------------------------------------------------


def deliveries_create(
    *,
    event_ids: list[int] | None = None,
    publication_id: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """One delivery per released event (those named, or all of an edition's) and active
    endpoint of its watchlist's owner (the endpoint's watchlist, or all of them) that
    existed when the event was made. Idempotent."""
    if not event_ids and publication_id is None:
        return 0
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO watch_webhook_delivery
                (endpoint_id, event_id, status, attempts, next_attempt_at, last_error,
                 created_at, updated_at)
            SELECT ep.id, e.id, %(pending)s, 0, %(now)s, '', %(now)s, %(now)s
            FROM watch_event e
            JOIN watch_watchlist w ON w.id = e.watchlist_id
            JOIN watch_webhook_endpoint ep
              ON ep.owner_id = w.owner_id AND ep.is_active
             AND (ep.watchlist_id IS NULL OR ep.watchlist_id = w.id)
            WHERE (e.id = ANY(%(ids)s) OR e.publication_id = %(publication)s)
              AND e.hold = %(released)s AND e.created_at >= ep.created_at
            ON CONFLICT DO NOTHING
            """,
            {
                "pending": DeliveryStatus.PENDING,
                "now": now,
                "ids": list(event_ids or []),
                "publication": publication_id,
                "released": HoldState.RELEASED,
            },
        )
        return cursor.rowcount


def deliveries_claim(*, now: dt.datetime, limit: int) -> list[int]:
    """Due deliveries of active endpoints, leased to this sender (SKIP LOCKED: senders in
    parallel never take the same one)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE watch_webhook_delivery d SET next_attempt_at = %(lease)s
            WHERE d.id IN (
                SELECT d2.id FROM watch_webhook_delivery d2
                JOIN watch_webhook_endpoint ep ON ep.id = d2.endpoint_id AND ep.is_active
                WHERE d2.status IN (%(pending)s, %(retrying)s) AND d2.next_attempt_at <= %(now)s
                ORDER BY d2.next_attempt_at, d2.id
                LIMIT %(limit)s
                FOR UPDATE OF d2 SKIP LOCKED
            )
            RETURNING d.id
            """,
            {
                "lease": now + CLAIM_LEASE,
                "now": now,
                "limit": limit,
                "pending": DeliveryStatus.PENDING,
                "retrying": DeliveryStatus.RETRYING,
            },
        )
        return sorted(row[0] for row in cursor.fetchall())


def _client() -> HttpClient:
    timeout = settings.WATCH_WEBHOOK_TIMEOUT_SECONDS
    return HttpClient(
        connect_timeout=timeout,
        read_timeout=timeout,
        max_retries=0,  # the delivery schedule retries, not the client
        max_redirects=0,
        max_bytes=RESPONSE_CAP_BYTES,
    )


@dataclass
class AttemptResult:
    ok: bool
    status_code: int | None
    error: str
    duration_ms: int
    blocked: bool = False


def _post(client: HttpClient, delivery: WebhookDelivery, *, now: dt.datetime) -> AttemptResult:
    body = json.dumps(
        event_body(delivery.event), cls=DjangoJSONEncoder, separators=(",", ":")
    ).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(delivery.endpoint.secret, timestamp, body),
        EVENT_HEADER: delivery.event.kind,
        DELIVERY_HEADER: str(delivery.pk),
    }
    started = time.monotonic()
    try:
        result = client.post(delivery.endpoint.url, data=body, headers=headers)
    except BlockedAddressError as exc:
        return AttemptResult(False, None, str(exc), _ms(started), blocked=True)
    except HttpError as exc:
        return AttemptResult(False, exc.status, str(exc), _ms(started))
    ok = 200 <= result.status < 300
    return AttemptResult(ok, result.status, "" if ok else f"HTTP {result.status}", _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2 base, 4 base... at most 6 h."""
    base = dt.timedelta(seconds=settings.WATCH_WEBHOOK_BACKOFF_SECONDS)
    return min(MAX_BACKOFF, base * (2 ** max(0, attempts - 1)))


def _record(
    delivery: WebhookDelivery, outcome: AttemptResult, *, now: dt.datetime, replay: bool
) -> None:
    endpoint = delivery.endpoint
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            status_code=outcome.status_code,
            error=outcome.error[:2000],
            duration_ms=outcome.duration_ms,
            replay=replay,
        )
        delivery.attempts += 1
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error[:2000]
        if outcome.ok:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        elif replay and delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED):
            pass  # a replay that failed changes nothing an earlier outcome settled
        else:
            deadline = delivery.created_at + dt.timedelta(hours=settings.WATCH_WEBHOOK_RETRY_HOURS)
            next_at = now + backoff(delivery.attempts)
            if outcome.blocked or next_at > deadline:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.status = DeliveryStatus.RETRYING
                delivery.next_attempt_at = next_at
        delivery.save(
            update_fields=[
                "attempts",
                "last_status_code",
                "last_error",
                "status",
                "delivered_at",
                "next_attempt_at",
                "updated_at",
            ]
        )
        if outcome.ok:
            return
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        failures = WebhookEndpoint.objects.values_list("consecutive_failures", flat=True).get(
            pk=endpoint.pk
        )
        reason = None
        if outcome.blocked:
            reason = f"The address is refused: {outcome.error}"
        elif failures >= settings.WATCH_WEBHOOK_DISABLE_AFTER:
            reason = f"{failures} failed attempts in a row; the last: {outcome.error}"
        elif delivery.status == DeliveryStatus.FAILED and not replay:
            reason = (
                f"Delivery {delivery.pk} still failed after "
                f"{settings.WATCH_WEBHOOK_RETRY_HOURS:g} h; the last: {outcome.error}"
            )
        if reason:
            endpoint_disable(endpoint=endpoint, reason=reason, now=now)


def _load(delivery_ids: list[int]) -> list[WebhookDelivery]:
    return list(
        WebhookDelivery.objects.filter(pk__in=delivery_ids)
        .select_related("endpoint", *(f"event__{r}" for r in EVENT_RELATED))
        .order_by("pk")
    )


def delivery_send(
    *,
    delivery: WebhookDelivery,
    now: dt.datetime | None = None,
    replay: bool = False,
    client: HttpClient | None = None,
) -> AttemptResult:
    """One POST of a delivery, recorded in the log. ``replay``: an operator's resend."""
    now = now or timezone.now()
    outcome = _post(client or _client(), delivery, now=now)
    _record(delivery, outcome, now=now, replay=replay)
    return outcome


def delivery_replay(*, delivery: WebhookDelivery, now: dt.datetime | None = None) -> AttemptResult:
    fresh = _load([delivery.pk])[0]
    return delivery_send(delivery=fresh, now=now, replay=True)


@dataclass
class SendOutcome:
    attempted: int = 0
    succeeded: int = 0
    failed: int = 0


def deliveries_send_due(
    *, now: dt.datetime | None = None, clock: Clock | None = None, batch: int = 200
) -> SendOutcome:
    """Send every due delivery, batch after batch, until none is due."""
    clock = clock or timezone.now
    outcome = SendOutcome()
    client = _client()
    disabled: set[int] = set()
    while True:
        moment = now or clock()
        claimed = deliveries_claim(now=moment, limit=batch)
        if not claimed:
            return outcome
        for delivery in _load(claimed):
            if delivery.endpoint_id in disabled:
                # Disabled by an earlier delivery of this batch: left for when it is back.
                WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=moment)
                continue
            result = delivery_send(delivery=delivery, now=now or clock(), client=client)
            outcome.attempted += 1
            if result.ok:
                outcome.succeeded += 1
                continue
            outcome.failed += 1
            if not WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, is_active=True).exists():
                disabled.add(delivery.endpoint_id)
