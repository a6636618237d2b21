"""The project's admin site: Django's, with a login held to the API login's limits.

The login form is named by ``settings.ADMIN_LOGIN_FORM`` (accounts' throttled form), so
the kernel imports no app.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string


class CigarSpaceAdminSite(admin.AdminSite):
    @property  # type: ignore[override]
    def login_form(self) -> type[AuthenticationForm]:
        return import_string(settings.ADMIN_LOGIN_FORM)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().login(request, extra_context)
        retry_after = getattr(request, "login_retry_after", None)
        if retry_after is not None:
            # The form says why; the status and header tell scripts and proxies.
            response.status_code = 429
            response["Retry-After"] = str(retry_after)
        return response
