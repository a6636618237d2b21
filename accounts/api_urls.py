"""Auth routes, relative to /api/v1/ (included by cigarspace.urls)."""

from __future__ import annotations

from django.db import transaction
from django.urls import path

from accounts.api import LogoutApi, MeApi, TokenObtainApi, TokenRefreshApi

app_name = "accounts"

# Never inside ATOMIC_REQUESTS (should it be turned on): what these endpoints write must
# commit although the answer is a 401 — the revocation of a reused refresh family
# (accounts.services.refresh_token_rotate runs its own durable transaction), and the
# throttle counts of failed logins (accounts/rate_limits.py), which a rolled-back request
# would erase.
urlpatterns = [
    path("auth/token", transaction.non_atomic_requests(TokenObtainApi.as_view()), name="token"),
    path(
        "auth/refresh",
        transaction.non_atomic_requests(TokenRefreshApi.as_view()),
        name="refresh",
    ),
    path("auth/logout", transaction.non_atomic_requests(LogoutApi.as_view()), name="logout"),
    path("auth/me", MeApi.as_view(), name="me"),
]
