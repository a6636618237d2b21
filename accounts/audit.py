"""The audit of login attempts, written the same way by every login form (API, admin).

One log line per attempt on the ``accounts.login`` logger (JSON in production, with the
request id): the channel, the outcome, the client address and a digest of the submitted
email — enough to follow an attack on one account across addresses without writing
addresses in clear into the logs (the throttle keys hash them the same way).
"""

from __future__ import annotations

import hashlib
import logging

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger("accounts.login")

SUCCEEDED = "succeeded"
FAILED = "failed"
THROTTLED = "throttled"


def email_digest(email: object) -> str | None:
    """sha256 of the submitted email, normalised; None when there is none. surrogatepass:
    a digest for any string, even one that is not valid Unicode."""
    if not isinstance(email, str) or not email.strip():
        return None
    return hashlib.sha256(email.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()


def login_audit(
    request: HttpRequest, *, channel: str, outcome: str, email: object, user_id: int | None = None
) -> None:
    """Record one login attempt. ``channel``: "api" or "admin"."""
    # The client address as the throttles see it (NUM_PROXIES decides whether
    # X-Forwarded-For is trusted).
    client = BaseThrottle().get_ident(request)
    level = logging.INFO if outcome == SUCCEEDED else logging.WARNING
    logger.log(
        level,
        "login %s (%s) from %s",
        outcome,
        channel,
        client,
        extra={
            "channel": channel,
            "outcome": outcome,
            "client": client,
            "email_sha256": email_digest(email),
            "user": user_id,
        },
    )
