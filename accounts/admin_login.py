"""The admin's login form, held to the API login's limits and audit.

Without it the admin login was a way around the API's login throttle: 30 wrong passwords
were checked in 6 s, then the right one got in. Each attempt now counts against the same
budgets as ``POST /api/v1/auth/token`` (per client IP and per account,
``accounts.throttles.login_attempt_wait``) *before* the password is checked, and each
outcome is written to the same audit (``accounts.audit``).
"""

from __future__ import annotations

import math

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from accounts.audit import FAILED, SUCCEEDED, THROTTLED, login_audit
from accounts.throttles import login_attempt_wait


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": "Too many login attempts. Try again in %(seconds)d seconds.",
    }

    def clean(self) -> dict:
        email = self.cleaned_data.get("username")
        wait = login_attempt_wait(self.request, email=email)
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            # The admin site's login view answers 429 with Retry-After when this is set.
            self.request.login_retry_after = seconds
            login_audit(self.request, channel="admin", outcome=THROTTLED, email=email)
            raise ValidationError(
                self.error_messages["throttled"], code="throttled", params={"seconds": seconds}
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            login_audit(self.request, channel="admin", outcome=FAILED, email=email)
            raise
        if self.user_cache is not None:  # None: a field was missing, its error is shown
            login_audit(
                self.request,
                channel="admin",
                outcome=SUCCEEDED,
                email=email,
                user_id=self.user_cache.pk,
            )
        return cleaned
