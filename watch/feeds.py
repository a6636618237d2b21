"""Atom feeds (Django's syndication framework).

- ``/feeds/watchlists/<token>/``: a watchlist's delivered events. The token (256 random
  bits) is the only credential: feed readers send no other. Held and suppressed events
  are never in it.
- ``/feeds/sources/<slug>/``: the public list of a source's editions, with their diff.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Count, Q
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed

from customs.models import ChangeKind, CustomsSource
from watch.models import HoldState, WatchEvent, Watchlist
from watch.prices import source_editions
from watch.selectors import event_data, with_event_data
from watch.services.digests import event_line

FEED_ITEMS = 100
_CHANGED = Q(
    entries__change_kind__in=[
        ChangeKind.CHANGED,
        ChangeKind.NEW,
        ChangeKind.RENAMED,
        ChangeKind.WITHDRAWN,
    ]
)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _publication_link(publication_id: int) -> str:
    return _absolute(f"/api/v1/customs/publications/{publication_id}/")


class WatchlistFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, token: str) -> Watchlist:
        watchlist = Watchlist.objects.filter(feed_token=token).first()
        if watchlist is None:
            raise Http404("No such feed.")
        return watchlist

    def title(self, obj: Watchlist) -> str:
        return f"CigarSpace — {obj.name}"

    def link(self, obj: Watchlist) -> str:
        return _absolute(f"/feeds/watchlists/{obj.feed_token}/")

    def subtitle(self, obj: Watchlist) -> str:
        return "Official price changes of the cigars this watchlist follows."

    def items(self, obj: Watchlist):
        return with_event_data(
            WatchEvent.objects.filter(watchlist=obj, hold=HoldState.RELEASED)
        ).order_by("-created_at", "-pk")[:FEED_ITEMS]

    def item_title(self, item: WatchEvent) -> str:
        return event_line(item, item.watchlist.language)

    def item_description(self, item: WatchEvent) -> str:
        payload = event_data(item)
        date = payload.get("effective_date") or ""
        return f"{item.get_kind_display()} — {payload.get('source', '')}, effective {date}"

    def item_link(self, item: WatchEvent) -> str:
        if item.cigar_id:
            return _absolute(f"/api/v1/cigars/{item.cigar_id}/prices/")
        return _publication_link(item.publication_id)

    def item_guid(self, item: WatchEvent) -> str:
        return f"urn:cigarspace:watch-event:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: WatchEvent):
        return item.created_at

    def item_updateddate(self, item: WatchEvent):
        return item.created_at


class SourceFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug: str) -> CustomsSource:
        source = CustomsSource.objects.filter(slug=slug).first()
        if source is None:
            raise Http404("No such source.")
        return source

    def title(self, obj: CustomsSource) -> str:
        return f"CigarSpace — editions of {obj.name}"

    def link(self, obj: CustomsSource) -> str:
        return _absolute(f"/feeds/sources/{obj.slug}/")

    def subtitle(self, obj: CustomsSource) -> str:
        return f"Each new edition of the official prices of {obj.slug}, with what it changes."

    def items(self, obj: CustomsSource):
        return source_editions(source=obj).annotate(changed=Count("entries", filter=_CHANGED))[
            :FEED_ITEMS
        ]

    def item_title(self, item) -> str:
        return f"{item.title or item.external_id} — effective {item.effective_date}"

    def item_description(self, item) -> str:
        return f"{item.entry_count} lines, {item.changed} changed, new, renamed or withdrawn."

    def item_link(self, item) -> str:
        return _publication_link(item.pk)

    def item_guid(self, item) -> str:
        return f"urn:cigarspace:publication:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.ingested_at or item.created_at

    def item_updateddate(self, item):
        return item.ingested_at or item.created_at
