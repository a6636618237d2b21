"""Blob routes, relative to /api/v1/ (included by cigarspace/urls.py)."""

from __future__ import annotations

from django.urls import re_path

from media.api import DIGEST_PATTERN, BlobDownloadApi, BlobThumbnailApi

urlpatterns = [
    re_path(
        rf"^media/blobs/(?P<digest>{DIGEST_PATTERN})/?$",
        BlobDownloadApi.as_view(),
        name="media-blob-download",
    ),
    re_path(
        rf"^media/blobs/(?P<digest>{DIGEST_PATTERN})/thumbnails/(?P<size>[0-9]{{1,5}})/?$",
        BlobThumbnailApi.as_view(),
        name="media-blob-thumbnail",
    ),
]
