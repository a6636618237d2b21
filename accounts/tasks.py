"""Background tasks of the accounts app (django-q2) and their schedule.

Its schedule is in ``accounts.schedules``.
"""

from __future__ import annotations

import logging

from accounts.services import refresh_tokens_prune

logger = logging.getLogger(__name__)


def prune_expired_refresh_tokens() -> int:
    deleted = refresh_tokens_prune()
    logger.info("Pruned %d expired refresh tokens.", deleted)
    return deleted
