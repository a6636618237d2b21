"""URL map: the admin, the API under /api/v1/, the OpenAPI schema and its docs.

Each app exposes ``api_urls.urlpatterns``; the apps that have none yet are skipped so
that the map is the same in every checkout.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

API_APPS = ("accounts", "media", "catalogue", "customs", "matching")


def _api_includes() -> list:
    patterns = []
    for app in API_APPS:
        module_name = f"{app}.api_urls"
        if find_spec(module_name) is not None:
            patterns.append(path("", include(import_module(module_name))))
    return patterns


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(_api_includes())),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

handler500 = "cigarspace.api.json_server_error"
