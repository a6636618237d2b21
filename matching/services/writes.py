"""The guarded writes of a matching run: one batch of results under the entries' locks.

A batched ``INSERT … ON CONFLICT (cigar_id, price_entry_id) DO UPDATE … WHERE status NOT
IN ('HUMAN_ACCEPTED', 'HUMAN_REJECTED')`` never overwrites a human decision; earlier
automatic rows of the batch's entries are demoted first, so no stale AUTO_ACCEPTED row
lingers; every status change leaves a ``MatchEvent``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone

from customs.models import CustomsPriceEntry
from matching.models import (
    HUMAN_STATUSES,
    CigarCustomsMatch,
    EntryMatchState,
    MatchEvent,
    MatchStatus,
)

if TYPE_CHECKING:
    from matching.services.inputs import EntryResult

RUN_NOTE = "matcher run"

_UPSERT = """
INSERT INTO cigar_customs_match
    (cigar_id, price_entry_id, match_method, score, signals, status, rank, note,
     created_at, updated_at)
SELECT c, e, m, s, g, st, r, '', %(now)s, %(now)s
FROM unnest(%(cigar)s::bigint[], %(entry)s::bigint[], %(method)s::text[],
            %(score)s::numeric[], %(signals)s::jsonb[], %(status)s::text[], %(rank)s::int[])
     AS t(c, e, m, s, g, st, r)
ON CONFLICT (cigar_id, price_entry_id) DO UPDATE SET
    match_method = EXCLUDED.match_method,
    score = EXCLUDED.score,
    signals = EXCLUDED.signals,
    status = EXCLUDED.status,
    rank = EXCLUDED.rank,
    updated_at = EXCLUDED.updated_at
WHERE cigar_customs_match.status NOT IN ('HUMAN_ACCEPTED', 'HUMAN_REJECTED')
RETURNING id, cigar_id, price_entry_id, status, score
"""


def lock_entries(entry_ids: Iterable[int]) -> None:
    """The entry row is the mutex of its matches (runs and reviewers take it first)."""
    ids = sorted(set(entry_ids))
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM customs_price_entry WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
            [ids],
        )


@transaction.atomic
def write_results(results: list[EntryResult], *, stale_rank: int = 5) -> Counter:
    """Write one batch of results under the entries' locks; returns best statuses."""
    now = timezone.now()
    entry_ids = [r.entry.pk for r in results]
    lock_entries(entry_ids)
    existing: dict[tuple[int, int], tuple[int, str, Decimal]] = {}
    human_accepted: set[int] = set()
    for pk, entry_id, cigar_id, status, score in CigarCustomsMatch.objects.filter(
        price_entry_id__in=entry_ids
    ).values_list("pk", "price_entry_id", "cigar_id", "status", "score"):
        existing[(entry_id, cigar_id)] = (pk, status, score)
        if status == MatchStatus.HUMAN_ACCEPTED:
            human_accepted.add(entry_id)

    # Demote every earlier automatic row first: at most one accepted row per entry holds
    # at each statement, and a decision the new scores no longer support does not linger.
    CigarCustomsMatch.objects.filter(price_entry_id__in=entry_ids).exclude(
        status__in=HUMAN_STATUSES
    ).update(status=MatchStatus.AUTO_REJECTED, rank=stale_rank, updated_at=now)

    columns: dict[str, list] = defaultdict(list)
    counts: Counter = Counter()
    for result in results:
        entry_id = result.entry.pk
        for row in result.rows:
            status, rank = row.status, row.rank
            if entry_id in human_accepted:
                # A human already chose this entry's cigar: the rest are alternatives to it.
                status, rank = MatchStatus.AUTO_REJECTED, row.rank + 1
            columns["cigar"].append(row.cigar_id)
            columns["entry"].append(entry_id)
            columns["method"].append(row.method)
            columns["score"].append(Decimal(str(row.score)).quantize(Decimal("0.001")))
            columns["signals"].append(json.dumps(row.signals))
            columns["status"].append(status)
            columns["rank"].append(rank)
            if row.rank == 1:
                counts[status] += 1
        if not result.rows:
            counts["no_candidate"] += 1

    written: dict[tuple[int, int], tuple[int, str, Decimal]] = {}
    if columns:
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT, {"now": now, **columns})
            for pk, cigar_id, entry_id, status, score in cursor.fetchall():
                written[(entry_id, cigar_id)] = (pk, status, score)

    events = []
    for pair, (pk, old_status, old_score) in existing.items():
        if old_status in HUMAN_STATUSES:
            continue
        _pk, new_status, new_score = written.get(pair, (pk, MatchStatus.AUTO_REJECTED, old_score))
        if new_status != old_status:
            events.append(
                MatchEvent(
                    match_id=pk,
                    from_status=old_status,
                    to_status=new_status,
                    score=new_score,
                    note=RUN_NOTE,
                )
            )
    for pair, (pk, status, score) in written.items():
        if pair not in existing:
            events.append(
                MatchEvent(
                    match_id=pk, from_status="", to_status=status, score=score, note=RUN_NOTE
                )
            )
    MatchEvent.objects.bulk_create(events, batch_size=2000)

    EntryMatchState.objects.bulk_create(
        [
            EntryMatchState(
                price_entry_id=r.entry.pk, label_key=r.entry.key, outcome=r.outcome, scored_at=now
            )
            for r in results
        ],
        update_conflicts=True,
        unique_fields=["price_entry"],
        update_fields=["label_key", "outcome", "scored_at"],
    )
    guesses = [
        CustomsPriceEntry(pk=r.entry.pk, brand_guess=r.brand_name[:120])
        for r in results
        if r.brand_name[:120] != r.entry.brand_guess
    ]
    CustomsPriceEntry.objects.bulk_update(guesses, ["brand_guess"], batch_size=1000)
    return counts
