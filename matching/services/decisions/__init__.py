"""Human decisions on matches: the one service the admin, the API and tests all call.

Every decision:

- runs in one durable transaction (``transaction.atomic(durable=True)`` when the caller is
  not already in one), so that its effects and its audit rows commit together or not at
  all, and never inside someone else's larger transaction;
- locks the entry first, then its match rows (the matcher takes the same entry lock, so a
  run and a reviewer serialise per entry);
- checks the expected state *under the lock*: a row that changed since the reviewer
  loaded it (``expected_updated_at``; for the entry-level decisions, the entry's best row)
  or that another reviewer already decided raises ``DecisionConflict`` instead of
  overwriting that decision;
- writes one ``MatchEvent`` per status change and maintains the label memory
  (``CigarAlias``): accept → accepted alias; reject → rejected pair; "not in the
  catalogue" → not_in_catalogue; re-point → the chosen row HUMAN_ACCEPTED and the
  previous best HUMAN_REJECTED.

One module per kind of decision (``matches``: one row; ``entries``: the entry as a whole);
the steps they share live in ``_core``.
"""

from matching.services.decisions._core import (
    NOT_IN_CATALOGUE_NOTE,
    DecisionConflict,
    decision_atomic,
)
from matching.services.decisions.entries import (
    entry_create_cigar,
    entry_create_cigar_initial,
    entry_mark_not_in_catalogue,
    entry_repoint,
)
from matching.services.decisions.matches import match_accept, match_reject

__all__ = [
    "NOT_IN_CATALOGUE_NOTE",
    "DecisionConflict",
    "decision_atomic",
    "entry_create_cigar",
    "entry_create_cigar_initial",
    "entry_mark_not_in_catalogue",
    "entry_repoint",
    "match_accept",
    "match_reject",
]
