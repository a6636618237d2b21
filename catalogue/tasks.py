"""Background tasks of the catalogue (django-q2) and their schedule.

``embed_missing_cigars`` gives a vector to every cigar created or renamed since the last
run (a rename clears the vector: see catalogue.services). Its schedule is in
``catalogue.schedules``.
"""

from __future__ import annotations

import logging

from catalogue.services import cigar_embed

logger = logging.getLogger(__name__)


def embed_missing_cigars() -> int:
    result = cigar_embed(mode="missing")
    logger.info("Embedded %d cigar(s) with %s.", result.embedded, result.model)
    return result.embedded
