"""A cigar's pictures, relative to /api/v1/ (included by cigarspace/urls.py)."""

from __future__ import annotations

from django.urls import path

from catalogue import media_api

urlpatterns = [
    path(
        "cigars/<int:cigar_id>/media/",
        media_api.CigarMediaListApi.as_view(),
        name="cigar-media-list",
    ),
    path(
        "cigars/<int:cigar_id>/media/from-url/",
        media_api.CigarMediaFromUrlApi.as_view(),
        name="cigar-media-from-url",
    ),
    path(
        "cigars/<int:cigar_id>/media/<int:asset_id>/",
        media_api.CigarMediaDetailApi.as_view(),
        name="cigar-media-detail",
    ),
    path(
        "cigars/<int:cigar_id>/media/<int:asset_id>/primary/",
        media_api.CigarMediaPrimaryApi.as_view(),
        name="cigar-media-primary",
    ),
]
