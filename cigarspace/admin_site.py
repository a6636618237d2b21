"""The project's admin site: Django's, with a login held to the API login's limits."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from accounts.admin_login import ThrottledAdminAuthenticationForm


class CigarSpaceAdminSite(admin.AdminSite):
    login_form = ThrottledAdminAuthenticationForm

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().login(request, extra_context)
        retry_after = getattr(request, "login_retry_after", None)
        if retry_after is not None:
            # The form says why; the status and header tell scripts and proxies.
            response.status_code = 429
            response["Retry-After"] = str(retry_after)
        return response
