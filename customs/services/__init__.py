"""Writes of the customs app (``<entity>_<action>`` services); see each module."""

from customs.services.files import publication_ingest_file
from customs.services.lifecycle import (
    DiscoveryOutcome,
    StageError,
    publication_advance,
    publication_discover_one,
    publication_fail,
    publication_fetch,
    publication_ingest,
    publication_parse,
    publication_reset_for_retry,
    publication_retry,
    publication_run_stage,
    publications_ingest_pending,
    source_discover,
)

__all__ = [
    "DiscoveryOutcome",
    "StageError",
    "publication_advance",
    "publication_discover_one",
    "publication_fail",
    "publication_fetch",
    "publication_ingest",
    "publication_ingest_file",
    "publication_parse",
    "publication_reset_for_retry",
    "publication_retry",
    "publication_run_stage",
    "publications_ingest_pending",
    "source_discover",
]
