"""Writes of the customs app (``<entity>_<action>`` services).

- ``discovery``: list a source's documents (``source_discover``);
- ``lifecycle``: the stages fetch → parse → ingest, and failure;
- ``pipeline``: run pending stages, retry a failed publication, sweep;
- ``files``: import a local file (manual channels);
- ``diff``: change kinds against the previous edition;
- ``truncation``: an edition far smaller than the previous one fails unless accepted;
- ``runs``: the same operations with their ``CustomsRun`` log (commands, tasks, admin);
- ``fetches``: every network fetch with its provenance row.
"""

from customs.services.discovery import DiscoveryOutcome, publication_discover_one, source_discover
from customs.services.files import publication_ingest_file
from customs.services.lifecycle import (
    StageError,
    StageSkipped,
    publication_fail,
    publication_fetch,
    publication_ingest,
    publication_parse,
)
from customs.services.pipeline import (
    publication_advance,
    publication_reset_for_retry,
    publication_retry,
    publication_run_stage,
    publications_ingest_pending,
)
from customs.services.truncation import publication_accept_count_drop

__all__ = [
    "DiscoveryOutcome",
    "StageError",
    "StageSkipped",
    "publication_accept_count_drop",
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
