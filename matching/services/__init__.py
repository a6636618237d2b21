"""Writes of the matching app: the matcher runs and the human decisions."""

from matching.services.decisions import (
    DecisionConflict,
    entry_create_cigar,
    entry_create_cigar_initial,
    entry_mark_not_in_catalogue,
    entry_repoint,
    match_accept,
    match_reject,
)
from matching.services.runs import (
    all_match,
    entries_match,
    publication_match,
    source_match,
)

__all__ = [
    "DecisionConflict",
    "all_match",
    "entries_match",
    "entry_create_cigar",
    "entry_create_cigar_initial",
    "entry_mark_not_in_catalogue",
    "entry_repoint",
    "match_accept",
    "match_reject",
    "publication_match",
    "source_match",
]
