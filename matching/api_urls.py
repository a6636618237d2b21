"""Matching routes, relative to /api/v1/."""

from __future__ import annotations

from django.urls import path

from matching import api
from matching.api_comparison import PriceComparisonApi

urlpatterns = [
    path("matches/", api.MatchListApi.as_view(), name="match-list"),
    path("matches/<int:pk>/", api.MatchDetailApi.as_view(), name="match-detail"),
    path("cigars/<int:pk>/prices/", api.CigarPricesApi.as_view(), name="cigar-prices"),
    path("prices/comparison/", PriceComparisonApi.as_view(), name="price-comparison"),
    path("cigars/<int:pk>/merge/", api.CigarMergeApi.as_view(), name="cigar-merge"),
    path(
        "entries/<int:pk>/not-in-catalogue/",
        api.EntryNotInCatalogueApi.as_view(),
        name="entry-not-in-catalogue",
    ),
    path(
        "entries/<int:pk>/create-cigar/",
        api.EntryCreateCigarApi.as_view(),
        name="entry-create-cigar",
    ),
]
