"""Background task queued by the publication admin's "re-run matching" action.

A thin adapter (django-q2 passes the publication's id, the service does the work); it
re-scores every entry except those a human decided (the matcher never overwrites them).
"""

from __future__ import annotations

from customs.models import CustomsPublication
from matching.services import publication_match


def publication_rematch(publication_id: int) -> str:
    publication = CustomsPublication.objects.get(pk=publication_id)
    outcome = publication_match(publication=publication, force=True, trigger="admin")
    run = outcome.run
    return f"publication {publication_id}: {run.entries_scored}/{run.entries_seen} scored"
