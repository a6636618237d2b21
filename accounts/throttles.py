"""Throttle classes every API uses (rates in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]).

- ``AnonThrottle`` / ``UserThrottle``: the defaults of every view (anonymous clients per
  IP, authenticated users and their API keys per user);
- ``LoginIPThrottle`` + ``LoginEmailThrottle``: login attempts per client IP and per
  submitted email, so neither many accounts from one address nor one account from many
  addresses can be guessed at speed;
- ``RefreshThrottle``: token refreshes per client IP.

``login_attempt_wait`` counts a login attempt of any other form (the admin's) against the
same two login budgets, so no login form is a way around the API's limits.

Every one counts in PostgreSQL with one statement per request (accounts/rate_limits.py:
GCRA), so all workers count together. A refused request answers 429 with ``Retry-After``
(cigarspace.api.exception_handler).
"""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from accounts.audit import email_digest
from accounts.rate_limits import rate_limit_hit


class RateLimitThrottle(SimpleRateThrottle):
    """DRF's throttle (rates, scopes, client identity, ``Retry-After``) counted by
    ``rate_limit_hit`` instead of a list of request times kept in the cache."""

    _wait: float | None = None

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        return self.allow_key(self.get_cache_key(request, view))

    def allow_key(self, key: str | None) -> bool:
        """Count one request under ``key`` (None: not counted) and say if it may go on."""
        self.key = key
        if self.rate is None or key is None:
            return True
        self._wait = rate_limit_hit(
            self.key, limit=self.num_requests, period=self.duration, now=self.timer()
        )
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


class AnonThrottle(RateLimitThrottle, AnonRateThrottle):
    scope = "anon"


class UserThrottle(RateLimitThrottle, UserRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        # DRF's version also counts anonymous clients by IP under this (higher) rate;
        # they are AnonThrottle's business.
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class LoginIPThrottle(RateLimitThrottle):
    scope = "login"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def submitted_email(request) -> object:
    """The ``email`` of a DRF request's body, if the body is an object that has one."""
    data = request.data
    return data.get("email") if hasattr(data, "get") else None


class LoginEmailThrottle(RateLimitThrottle):
    scope = "login_email"

    def get_cache_key(self, request, view) -> str | None:
        return self.key_for_email(submitted_email(request))

    def key_for_email(self, email: object) -> str | None:
        # The email is hashed: the cache key must not store addresses in clear.
        digest = email_digest(email)
        if digest is None:
            return None  # nothing to count; the serializer refuses the request anyway
        return self.cache_format % {"scope": self.scope, "ident": digest}


class RefreshThrottle(LoginIPThrottle):
    scope = "refresh"


def login_attempt_wait(request: HttpRequest, *, email: str | None) -> float | None:
    """Count a login attempt made outside the API (the admin's form) against the API
    login's budgets, per client IP and per account: the seconds to wait, or None."""
    by_ip, by_email = LoginIPThrottle(), LoginEmailThrottle()
    waits: list[float] = []
    if not by_ip.allow_request(request, view=None):
        waits.append(by_ip.wait() or 0.0)
    if not by_email.allow_key(by_email.key_for_email(email)):
        waits.append(by_email.wait() or 0.0)
    return max(waits) if waits else None
