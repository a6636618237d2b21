"""Decisions on one match row: accept it, reject it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.actors import Actor
from matching.models import CigarCustomsMatch, MatchStatus
from matching.services.decisions._core import (
    _alias_accept,
    _alias_reject,
    _check_no_other_human_accept,
    _demote_other_automatic,
    _locked_match,
    _set_status,
    _state_decided,
    decision_atomic,
)


def match_accept(
    *,
    match: CigarCustomsMatch,
    actor: Actor,
    note: str = "",
    expected_updated_at: dt.datetime | None = None,
) -> CigarCustomsMatch:
    """HUMAN_ACCEPTED; the entry's other proposals stop; the label becomes an alias."""
    with decision_atomic():
        entry, rows, row = _locked_match(match, expected_updated_at)
        _check_no_other_human_accept(rows, row.pk)
        now = timezone.now()
        # Demote first: "one accepted per entry" holds at every statement.
        _demote_other_automatic(rows, row, actor=actor, note=note, now=now)
        row.rank = 1
        _set_status(row, MatchStatus.HUMAN_ACCEPTED, actor=actor, note=note, human=True, now=now)
        _alias_accept(entry, cigar_id=row.cigar_id, actor=actor, note=note)
        _state_decided(entry, "human_accepted", now)
    return row


def match_reject(
    *,
    match: CigarCustomsMatch,
    actor: Actor,
    note: str = "",
    expected_updated_at: dt.datetime | None = None,
) -> CigarCustomsMatch:
    """HUMAN_REJECTED; the (label, cigar) pair is never proposed again."""
    with decision_atomic():
        entry, _rows, row = _locked_match(match, expected_updated_at)
        now = timezone.now()
        _set_status(row, MatchStatus.HUMAN_REJECTED, actor=actor, note=note, human=True, now=now)
        _alias_reject(entry, cigar_id=row.cigar_id, actor=actor, note=note)
        _state_decided(entry, "human_rejected", now)
    return row
