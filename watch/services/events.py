"""The events an edition raises for each watchlist, computed in the database.

An edition's diff (``CustomsPriceEntry.change_kind``, written at ingestion) says what
changed; its accepted matches say which catalogue cigar each line is. An entry concerns a
watchlist that watches its cigar, the cigar's line or brand, or the brand the matcher
recognised in the label (a new product the catalogue does not hold yet) — in the
watchlist's country, or any country when the watchlist names none. A watchlist of a whole
source gets one ``new_edition`` event per edition, with the counts of its diff and where
to read it, rather than an event per line: thousands of alerts for one edition help
nobody, and they made a large edition's events several times slower to write.

One ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per edition writes them all (nothing
travels to Python: a large edition makes hundreds of thousands of rows): the unique
constraints (watchlist, entry, kind) and (watchlist, publication, kind) make a re-run, a
retried task, a watchlist reaching an entry twice (its cigar and its brand) or a decision
that touches the entry again a no-op. Each new event is held
when its entry carries a pending suspect change (``watch.services.suspects``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connection, transaction

from customs.models import ChangeKind, CustomsPublication, PublicationStatus
from matching.models import ACCEPTED_STATUSES
from watch.models import EventKind, HoldState, SuspectStatus, WatchEvent
from watch.services.suspects import suspects_flag

logger = logging.getLogger(__name__)

KIND_OF_CHANGE = {
    ChangeKind.CHANGED: EventKind.PRICE_CHANGE,
    ChangeKind.NEW: EventKind.NEW_PRODUCT,
    ChangeKind.WITHDRAWN: EventKind.WITHDRAWN,
    ChangeKind.RENAMED: EventKind.RENAMED,
}

# The entries of the edition that changed, with their cigar, line and brand (the brand
# also from the label when no cigar was accepted), and whether a suspect change holds
# them. The event row keeps only keys: what it says is read from the entry
# (watch.selectors.event_data). ``%(entry_ids)s`` narrows it to some entries (a decision).
_CHANGES = """
WITH changes AS (
    SELECT e.id AS entry_id, e.change_kind, e.publication_id, p.source_id, s.country,
           p.effective_date, m.cigar_id, c.line_id,
           COALESCE(l.brand_id, gb.id) AS brand_id,
           CASE sc.status WHEN %(pending)s THEN %(held)s
                          WHEN %(source_error)s THEN %(suppressed)s
                          ELSE %(released)s END AS hold
    FROM customs_price_entry e
    JOIN customs_publication p ON p.id = e.publication_id
    JOIN customs_source s ON s.id = p.source_id
    LEFT JOIN cigar_customs_match m
           ON m.price_entry_id = e.id AND m.status = ANY(%(accepted)s)
    LEFT JOIN cigar c ON c.id = m.cigar_id
    LEFT JOIN cigar_line l ON l.id = c.line_id
    LEFT JOIN brand gb ON m.cigar_id IS NULL AND e.brand_guess <> ''
                      AND lower(gb.name) = lower(e.brand_guess)
    LEFT JOIN watch_suspect_change sc ON sc.entry_id = e.id
    WHERE e.publication_id = %(publication)s
      AND e.change_kind = ANY(%(kinds)s)
      AND (%(entry_ids)s::bigint[] IS NULL OR e.id = ANY(%(entry_ids)s::bigint[]))
),
targets AS (
    SELECT i.watchlist_id, ch.entry_id FROM changes ch
      JOIN watch_item i ON i.scope = 'cigar' AND i.cigar_id = ch.cigar_id
    UNION ALL
    SELECT i.watchlist_id, ch.entry_id FROM changes ch
      JOIN watch_item i ON i.scope = 'line' AND i.line_id = ch.line_id
    UNION ALL
    SELECT i.watchlist_id, ch.entry_id FROM changes ch
      JOIN watch_item i ON i.scope = 'brand' AND i.brand_id = ch.brand_id
)
INSERT INTO watch_event
    (watchlist_id, kind, publication_id, entry_id, cigar_id, hold, payload, effective_date,
     created_at)
SELECT t.watchlist_id, %(kind_case)s, ch.publication_id, ch.entry_id, ch.cigar_id, ch.hold,
       '{}'::jsonb, ch.effective_date, clock_timestamp()
FROM targets t
JOIN changes ch ON ch.entry_id = t.entry_id
JOIN watch_watchlist w ON w.id = t.watchlist_id
WHERE w.country = '' OR w.country = ch.country
ON CONFLICT DO NOTHING
"""

_NEW_EDITION = """
INSERT INTO watch_event
    (watchlist_id, kind, publication_id, entry_id, cigar_id, hold, payload, effective_date,
     created_at)
SELECT DISTINCT i.watchlist_id, %(kind)s, p.id, NULL::bigint, NULL::bigint, %(released)s,
       jsonb_build_object(
           'publication_id', p.id, 'source', s.slug, 'country', s.country,
           'title', p.title, 'effective_date', p.effective_date,
           'entry_count', p.entry_count, 'url', NULLIF(p.url, ''),
           'changes', (SELECT COALESCE(jsonb_object_agg(k.change_kind, k.n), '{}'::jsonb)
                       FROM (SELECT change_kind, count(*) AS n FROM customs_price_entry
                             WHERE publication_id = p.id AND change_kind = ANY(%(kinds)s)
                             GROUP BY change_kind) k),
           'diff', '/api/v1/customs/publications/' || p.id || '/diff/'
       ),
       p.effective_date, clock_timestamp()
FROM customs_publication p
JOIN customs_source s ON s.id = p.source_id
JOIN watch_item i ON i.scope = 'source' AND i.source_id = p.source_id
JOIN watch_watchlist w ON w.id = i.watchlist_id AND (w.country = '' OR w.country = s.country)
WHERE p.id = %(publication)s
ON CONFLICT DO NOTHING
"""


@dataclass
class EventOutcome:
    publication_id: int
    created: int = 0
    held: int = 0
    suspects: int = 0

    @property
    def summary(self) -> dict[str, int]:
        return {"events": self.created, "held": self.held, "suspects": self.suspects}


def _kind_case() -> str:
    # change_kind → event kind, spelled in SQL from the one mapping above.
    whens = " ".join(f"WHEN '{change}' THEN '{kind}'" for change, kind in KIND_OF_CHANGE.items())
    return f"(CASE ch.change_kind {whens} END)"


def _insert(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def publication_events_compute(
    *, publication_id: int, entry_ids: list[int] | None = None
) -> EventOutcome:
    """Flag suspect changes, then write the events of one edition (or of some of its
    entries) for every watchlist concerned. Idempotent.

    Delivery is not done here: the caller queues it after the transaction commits
    (``watch.tasks``), so that a notification never leaves before its rows exist.
    ``held`` counts every held event of the edition (this run's or earlier).
    """
    outcome = EventOutcome(publication_id=publication_id)
    publication = (
        CustomsPublication.objects.select_related("source")
        .filter(pk=publication_id, status=PublicationStatus.INGESTED)
        .first()
    )
    if publication is None:
        return outcome
    params = {
        "publication": publication_id,
        "accepted": [str(s) for s in ACCEPTED_STATUSES],
        "kinds": [str(k) for k in KIND_OF_CHANGE],
        "entry_ids": entry_ids,
        "pending": SuspectStatus.PENDING,
        "source_error": SuspectStatus.SOURCE_ERROR,
        "held": HoldState.HELD,
        "suppressed": HoldState.SUPPRESSED,
        "released": HoldState.RELEASED,
    }
    with transaction.atomic():
        outcome.suspects = suspects_flag(publication=publication, entry_ids=entry_ids)
        created = _insert(_CHANGES.replace("%(kind_case)s", _kind_case()), params)
        if entry_ids is None:
            created += _insert(
                _NEW_EDITION,
                {
                    "publication": publication_id,
                    "kind": EventKind.NEW_EDITION,
                    "released": HoldState.RELEASED,
                    "kinds": params["kinds"],
                },
            )
    outcome.created = created
    outcome.held = WatchEvent.objects.filter(
        publication_id=publication_id, hold=HoldState.HELD
    ).count()
    logger.info("publication %s: %s", publication_id, outcome.summary)
    return outcome
