"""What a matcher run reads and carries: its entries, the label memory, and its results.

Split from ``runs`` so that the batch writer (``writes``) and the review floor
(``budget``) depend on these types without depending on the run itself.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db.models import QuerySet

from catalogue.models import AliasKind, CigarAlias
from customs.labels import label_key
from customs.models import CustomsPriceEntry
from customs.rows import is_cigar_category
from matching.candidates import load_vectors
from matching.models import (
    HUMAN_STATUSES,
    CigarCustomsMatch,
    EntryMatchState,
    MatchingRun,
    MatchStatus,
)


@dataclass
class EntryInput:
    pk: int
    source_slug: str
    label: str
    normalised_label: str
    brand_guess: str

    @property
    def key(self) -> str:
        return label_key(self.label)


@dataclass
class ScoredRow:
    cigar_id: int
    method: str
    score: float
    signals: dict
    status: str
    rank: int


@dataclass
class EntryResult:
    entry: EntryInput
    outcome: str
    rows: list[ScoredRow] = field(default_factory=list)
    brand_name: str = ""
    #: Every scored candidate, best first (for candidate-recall measurements).
    candidate_ids: list[int] = field(default_factory=list)
    #: The label's name as compared (brand and name tokens, pack and packaging aside).
    name_key: str = ""
    #: The best is the only cigar of the brand that fits every conflict-capable piece of
    #: evidence (shown to reviewers; required to auto-accept through learned words).
    unique: bool = False

    @property
    def floor_applies(self) -> bool:
        """The best row's status follows the review floor (not an alias, not a memory)."""
        return (
            self.outcome in ("exact", "scored")
            and bool(self.rows)
            and self.rows[0].status != MatchStatus.AUTO_ACCEPTED
        )


@dataclass
class RunOutcome:
    run: MatchingRun
    results: list[EntryResult]


# --- reading -------------------------------------------------------------------------------


def entry_inputs(queryset: QuerySet[CustomsPriceEntry]) -> list[EntryInput]:
    rows = queryset.order_by("pk").values_list(
        "pk",
        "publication__source__slug",
        "raw_label",
        "new_label",
        "normalised_label",
        "category",
        "brand_guess",
    )
    # Only cigar lines are ever candidates: a category matched loosely ("%cigar%") would
    # let cigarettes in.
    return [
        EntryInput(pk, slug, new or raw, normalised, brand)
        for pk, slug, raw, new, normalised, category, brand in rows
        if is_cigar_category(category)
    ]


def needs_scoring(entries: list[EntryInput]) -> list[EntryInput]:
    ids = [e.pk for e in entries]
    decided = set(
        CigarCustomsMatch.objects.filter(price_entry_id__in=ids, status__in=HUMAN_STATUSES)
        .values_list("price_entry_id", flat=True)
        .distinct()
    )
    scored = dict(
        EntryMatchState.objects.filter(price_entry_id__in=ids).values_list(
            "price_entry_id", "label_key"
        )
    )
    return [e for e in entries if e.pk not in decided and scored.get(e.pk) != e.key]


@dataclass
class LabelMemory:
    accepted: dict[tuple[str, str], int]
    rejected: dict[tuple[str, str], set[int]]
    not_in_catalogue: dict[tuple[str, str], dt.datetime]

    @classmethod
    def load(cls, entries: list[EntryInput]) -> LabelMemory:
        memory = cls({}, defaultdict(set), {})
        slugs = {e.source_slug for e in entries}
        labels = {e.normalised_label for e in entries}
        rows = CigarAlias.objects.filter(
            source_slug__in=slugs, normalised_label__in=labels
        ).values_list("source_slug", "normalised_label", "kind", "cigar_id", "created_at")
        for slug, label, kind, cigar_id, created_at in rows:
            if kind == AliasKind.ACCEPTED:
                memory.accepted[(slug, label)] = cigar_id
            elif kind == AliasKind.REJECTED:
                memory.rejected[(slug, label)].add(cigar_id)
            else:
                memory.not_in_catalogue[(slug, label)] = created_at
        return memory


def entry_vectors(entry_ids: list[int], model: str) -> dict[int, np.ndarray]:
    if not entry_ids:
        return {}
    return load_vectors("customs_price_entry", "AND id = ANY(%s)", [entry_ids], model)
