"""URL map: the admin, the API under /api/v1/, the OpenAPI schema and its docs.

Each app exposes its API routes in an ``api_urls`` module (listed below); a module that
does not exist is skipped.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from cigarspace.api import json_not_found
from cigarspace.health import health

# Each module holds ``urlpatterns`` relative to /api/v1/.
API_URL_MODULES = (
    "accounts.api_urls",
    "media.api_urls",
    "catalogue.api_urls",
    "catalogue.media_urls",
    "customs.api_urls",
    "matching.api_urls",
    "merchants.api_urls",
    "watch.api_urls",
)


def _api_includes() -> list:
    patterns = []
    for module_name in API_URL_MODULES:
        if find_spec(module_name) is not None:
            patterns.append(path("", include(import_module(module_name))))
    return patterns


urlpatterns = [
    path("admin/", admin.site.urls),
    # Load balancers and monitors: JSON, 200 healthy / 503 not (cigarspace/health.py).
    path("health", health, name="health"),
    path("api/v1/", include(_api_includes())),
    # Atom feeds of the price watch (watch/feeds.py).
    path("feeds/", include("watch.feed_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file (?script): no inline script,
    # so Swagger UI runs under the Content-Security-Policy (settings.CONTENT_SECURITY_POLICY).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Unknown API routes answer JSON like every other API error, DEBUG or not.
    re_path(r"^api/", json_not_found),
]

handler500 = "cigarspace.api.json_server_error"
