"""Customs routes, relative to /api/v1/."""

from __future__ import annotations

from django.urls import path

from customs import api

urlpatterns = [
    path("customs/sources/", api.SourceListApi.as_view(), name="customs-source-list"),
    path(
        "customs/publications/", api.PublicationListApi.as_view(), name="customs-publication-list"
    ),
    path(
        "customs/publications/<int:pk>/",
        api.PublicationDetailApi.as_view(),
        name="customs-publication-detail",
    ),
    path(
        "customs/publications/<int:pk>/entries/",
        api.PublicationEntriesApi.as_view(),
        name="customs-publication-entries",
    ),
    path(
        "customs/publications/<int:pk>/diff/",
        api.PublicationDiffApi.as_view(),
        name="customs-publication-diff",
    ),
]
