"""Atom feed routes, under /feeds/ (outside the API: feed readers speak Atom, not JSON)."""

from __future__ import annotations

from django.urls import path

from watch.feeds import SourceFeed, WatchlistFeed

urlpatterns = [
    path("watchlists/<str:token>/", WatchlistFeed(), name="watch-watchlist-feed"),
    path("sources/<slug:slug>/", SourceFeed(), name="watch-source-feed"),
]
