"""Merchants routes, relative to /api/v1/."""

from __future__ import annotations

from django.urls import path

from merchants import api

urlpatterns = [
    path("merchants/", api.MerchantListApi.as_view(), name="merchant-list"),
    path("merchants/<slug:slug>/", api.MerchantDetailApi.as_view(), name="merchant-detail"),
    path("merchants/<slug:slug>/runs/", api.MerchantRunsApi.as_view(), name="merchant-runs"),
    path(
        "merchants/<slug:slug>/products/",
        api.MerchantProductsApi.as_view(),
        name="merchant-products",
    ),
    path("merchants/<slug:slug>/crawl/", api.MerchantCrawlApi.as_view(), name="merchant-crawl"),
]
