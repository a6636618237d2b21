"""Auth routes, relative to /api/v1/ (included by cigarspace.urls)."""

from __future__ import annotations

from django.db import transaction
from django.urls import path

from accounts.api import LogoutApi, MeApi, TokenObtainApi, TokenRefreshApi

app_name = "accounts"

urlpatterns = [
    path("auth/token", TokenObtainApi.as_view(), name="token"),
    # Never inside ATOMIC_REQUESTS: a reuse revocation must commit although the answer
    # is 401 (accounts.services.refresh_token_rotate runs its own durable transaction).
    path(
        "auth/refresh",
        transaction.non_atomic_requests(TokenRefreshApi.as_view()),
        name="refresh",
    ),
    path("auth/logout", LogoutApi.as_view(), name="logout"),
    path("auth/me", MeApi.as_view(), name="me"),
]
