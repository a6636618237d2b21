"""Writes of the price watch (views, admin actions, commands and tasks call these)."""

from watch.services.digests import digests_send
from watch.services.events import EventOutcome, publication_events_compute
from watch.services.suspects import (
    SuspectAlreadyDecided,
    suspect_confirm,
    suspect_reject,
    suspects_flag,
)
from watch.services.watchlists import (
    ItemSpec,
    WatchItemInvalid,
    watchlist_create,
    watchlist_delete,
    watchlist_update,
)
from watch.services.webhooks import (
    WebhookUrlRefused,
    deliveries_create,
    deliveries_send_due,
    delivery_replay,
    endpoint_create,
    endpoint_disable,
    endpoint_enable,
)

__all__ = [
    "EventOutcome",
    "ItemSpec",
    "SuspectAlreadyDecided",
    "WatchItemInvalid",
    "WebhookUrlRefused",
    "deliveries_create",
    "deliveries_send_due",
    "delivery_replay",
    "digests_send",
    "endpoint_create",
    "endpoint_disable",
    "endpoint_enable",
    "publication_events_compute",
    "suspect_confirm",
    "suspect_reject",
    "suspects_flag",
    "watchlist_create",
    "watchlist_delete",
    "watchlist_update",
]
