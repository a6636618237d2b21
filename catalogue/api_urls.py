"""Catalogue routes, relative to /api/v1/."""

from __future__ import annotations

from django.urls import path

from catalogue import api

urlpatterns = [
    path("brands/", api.BrandListApi.as_view(), name="brand-list"),
    path("brands/<int:pk>/", api.BrandDetailApi.as_view(), name="brand-detail"),
    path("lines/", api.LineListApi.as_view(), name="line-list"),
    path("lines/<int:pk>/", api.LineDetailApi.as_view(), name="line-detail"),
    path("cigars/", api.CigarListApi.as_view(), name="cigar-list"),
    path("cigars/<int:pk>/", api.CigarDetailApi.as_view(), name="cigar-detail"),
    path("cigars/<int:pk>/similar/", api.CigarSimilarApi.as_view(), name="cigar-similar"),
    path("tasting-notes/", api.TastingNoteListApi.as_view(), name="tasting-note-list"),
    path("tasting-notes/<int:pk>/", api.TastingNoteDetailApi.as_view(), name="tasting-note-detail"),
]
