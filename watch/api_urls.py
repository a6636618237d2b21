"""Price watch routes, relative to /api/v1/."""

from __future__ import annotations

from django.urls import path

from watch import api

urlpatterns = [
    path("watchlists/", api.WatchlistListApi.as_view(), name="watchlist-list"),
    path("watchlists/<int:pk>/", api.WatchlistDetailApi.as_view(), name="watchlist-detail"),
    path("watchlists/<int:pk>/events/", api.WatchlistEventsApi.as_view(), name="watchlist-events"),
    path("webhooks/", api.WebhookListApi.as_view(), name="webhook-list"),
    path("webhooks/<int:pk>/", api.WebhookDetailApi.as_view(), name="webhook-detail"),
    path(
        "webhooks/<int:pk>/deliveries/",
        api.WebhookDeliveriesApi.as_view(),
        name="webhook-deliveries",
    ),
    path("prices/upcoming", api.UpcomingPricesApi.as_view(), name="prices-upcoming"),
    path("prices/tariff", api.TariffApi.as_view(), name="prices-tariff"),
    path("prices/cigars/<int:pk>/", api.CigarPricesNowApi.as_view(), name="prices-cigar"),
]
