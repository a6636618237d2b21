"""The price watch in ``make demo``: after edition B is ingested and matched.

1. the demo operator's watchlist (cigars edition B reprices, renames, withdraws, and the
   one whose pack price it printed in the unit column; the Montecristo brand, which gets
   a new line the catalogue does not hold) and a webhook endpoint;
2. edition B's events, computed as the worker does after matching (idempotent);
3. a webhook receiver the demo starts on 127.0.0.1 gets the deliveries and checks their
   signatures; the e-mail digest goes to the console (the development mail backend);
4. the suspect change waits in the admin (Price watch → suspect changes).

Running it again creates nothing twice: the same watchlist, no new event, no delivery or
e-mail sent twice; the summary is read back from the delivery log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.test.utils import override_settings

from catalogue.models import Brand, Cigar
from customs.models import CustomsPublication
from watch.models import SuspectChange, SuspectStatus, WatchEvent, Watchlist, WebhookDelivery
from watch.receiver import WebhookReceiver
from watch.services import (
    ItemSpec,
    deliveries_create,
    deliveries_send_due,
    digests_send,
    endpoint_create,
    publication_events_compute,
    watchlist_create,
)

WATCHLIST_NAME = "Demo: shelf of the tobacconist"
ENDPOINT_DESCRIPTION = "demo receiver"
WATCHED_CIGARS = (
    "habanos2016:cohiba:esplendidos",  # repriced
    "habanos2016:cohiba:exquisitos",  # withdrawn
    "habanos2016:partagas:presidentes",  # renamed
    "habanos2016:guantanamera:decimos",  # the pack price in the unit column: held
)
WATCHED_BRANDS = ("Montecristo",)


@dataclass
class WatchDemo:
    watchlist_id: int
    feed_url: str
    events: dict[str, int] = field(default_factory=dict)
    held: int = 0
    delivered: int = 0
    received_now: int = 0
    valid_signatures: int = 0
    digests_now: int = 0
    suspects: list[str] = field(default_factory=list)


def _watchlist(actor) -> Watchlist:
    existing = Watchlist.objects.filter(owner=actor, name=WATCHLIST_NAME).first()
    if existing:
        return existing
    cigars = Cigar.objects.filter(external_id__in=WATCHED_CIGARS).values_list("pk", flat=True)
    brands = Brand.objects.filter(name__in=WATCHED_BRANDS).values_list("pk", flat=True)
    items = [ItemSpec("cigar", pk) for pk in cigars] + [ItemSpec("brand", pk) for pk in brands]
    return watchlist_create(owner=actor, name=WATCHLIST_NAME, items=items, country="FR")


def watch_demo(*, actor, publication: CustomsPublication) -> WatchDemo:
    watchlist = _watchlist(actor)
    # The receiver runs on this machine: the address guard lets exactly its host through,
    # for the demo's own endpoint and delivery (nowhere else is a private address allowed).
    allowed = [*settings.HTTP_ALLOWED_PRIVATE_HOSTS, "127.0.0.1"]
    with WebhookReceiver() as receiver, override_settings(HTTP_ALLOWED_PRIVATE_HOSTS=allowed):
        endpoint = watchlist.webhook_endpoints.filter(description=ENDPOINT_DESCRIPTION).first()
        if endpoint is None:
            endpoint, secret = endpoint_create(
                owner=actor,
                url=receiver.url,
                watchlist=watchlist,
                description=ENDPOINT_DESCRIPTION,
            )
        else:
            # A new run, a new port: the same endpoint points at today's receiver.
            endpoint.url = receiver.url
            endpoint.save(update_fields=["url", "updated_at"])
            secret = endpoint.secret
        receiver.secret = secret
        publication_events_compute(publication_id=publication.pk)
        deliveries_create(publication_id=publication.pk)
        deliveries_send_due()
        digests = digests_send(publication_id=publication.pk)

    events = dict(
        WatchEvent.objects.filter(watchlist=watchlist, publication=publication)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return WatchDemo(
        watchlist_id=watchlist.pk,
        feed_url=f"/feeds/watchlists/{watchlist.feed_token}/",
        events=events,
        held=WatchEvent.objects.filter(watchlist=watchlist, hold="held").count(),
        delivered=WebhookDelivery.objects.filter(endpoint=endpoint, status="succeeded").count(),
        received_now=len(receiver.received),
        valid_signatures=sum(r.valid for r in receiver.received),
        digests_now=digests,
        suspects=[
            f"{s.entry.raw_label} ({s.get_reason_display()}, x{s.ratio:.2f})"
            for s in SuspectChange.objects.filter(
                entry__publication=publication, status=SuspectStatus.PENDING
            ).select_related("entry")
        ],
    )
