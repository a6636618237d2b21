"""The matcher: score entries against the catalogue and write calibrated statuses.

For each entry of the cigar category: candidates (``candidates.generate``), the signals
and hard constraints of each (``scoring.score_pair``), the best one's status from the
two thresholds and its margin over the second, and the next alternatives kept as
AUTO_REJECTED with their rank. Human decisions are consulted first (the label memory):

- an accepted alias is the candidate (method ``alias``, score 1, AUTO_ACCEPTED);
- a rejected (label, cigar) pair is never proposed again;
- a label marked "not in the catalogue" resolves without review (every candidate
  AUTO_REJECTED) until a cigar added to the catalogue after that decision fits it
  (score ≥ the review threshold): the entry is then reopened for review.

Writes, per batch of entries, in one transaction that locks the entries first (the
decision services lock the same rows, so a run and a reviewer serialise per entry):
earlier automatic rows are demoted, then the batch is upserted with ``INSERT … ON
CONFLICT (cigar_id, price_entry_id) DO UPDATE … WHERE status NOT IN (HUMAN_*)`` — the
guard that keeps human decisions lives in the write itself — and one ``match_event`` is
written per status change.

Incremental: without ``force``, an entry is scored only if it has no human decision and
its label was not scored before (``EntryMatchState``).
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone

from cigarspace import embeddings
from customs.models import CustomsPriceEntry, CustomsPublication
from customs.selectors import source_label_grammar
from matching.analysis import LabelAnalysis, analyse_label
from matching.candidates import CatalogueIndex, catalogue_index, generate
from matching.conf import MatchingConfig, current_config
from matching.models import (
    MatchingRun,
    MatchMethod,
    MatchStatus,
)
from matching.scoring import PairScore, score_pair
from matching.services.budget import apply_claims, apply_review_floors
from matching.services.inputs import (
    EntryInput,
    EntryResult,
    LabelMemory,
    RunOutcome,
    ScoredRow,
    entry_inputs,
    entry_vectors,
    needs_scoring,
)
from matching.services.writes import write_results
from matching.signals import publication_matched

BATCH_SIZE = 500

logger = logging.getLogger(__name__)


# --- scoring -------------------------------------------------------------------------------


def _signals_json(pair: PairScore, margin: float | None, *, unique: bool | None = None) -> dict:
    data: dict[str, Any] = dict(pair.signals)
    data["penalty"] = round(sum(pair.penalties.values()), 3)
    data["constraints"] = pair.constraints
    # What the review page shows: conflicts, unexplained and learned words.
    data["evidence"] = pair.evidence.as_dict()
    if margin is not None:
        data["margin"] = round(margin, 3)
    if unique is not None:
        data["unique"] = unique
    return data


#: Penalties that leave a candidate fitting the label's conflict-capable evidence.
_FITTING_PENALTIES = frozenset({"unexplained", "line_omitted", "shorthand"})


def _fits(pair: PairScore) -> bool:
    return pair.signals.get("brand") == 1.0 and not set(pair.penalties) - _FITTING_PENALTIES


def _alias_pair(pair: PairScore) -> PairScore:
    pair.signals["exact"] = 1.0
    pair.score = 1.0
    return pair


def score_entries(
    entries: list[EntryInput],
    *,
    index: CatalogueIndex,
    config: MatchingConfig,
    memory: LabelMemory,
    vectors: dict[int, np.ndarray],
) -> list[EntryResult]:
    """Candidates, scores and statuses of each entry (no database writes)."""
    # ``entries`` are of one source (``_by_source``): its label grammar reads them all.
    grammar = source_label_grammar(slug=entries[0].source_slug) if entries else None
    labels: list[LabelAnalysis] = [analyse_label(e.label, index.brands, grammar) for e in entries]
    keys = [(e.source_slug, e.normalised_label) for e in entries]
    candidate_lists = generate(
        index,
        labels,
        entry_vectors=[vectors.get(e.pk) for e in entries],
        alias_cigars=[memory.accepted.get(k) for k in keys],
        excluded=[memory.rejected.get(k, set()) for k in keys],
        k=config.k,
        keep=config.scored_candidates,
    )
    results = []
    for entry, label, key, candidates in zip(entries, labels, keys, candidate_lists, strict=True):
        scored: list[tuple[PairScore, str]] = []
        for candidate in candidates:
            pair = score_pair(
                label,
                index.cigars[candidate.position],
                vector=candidate.vector,
                config=config,
                context=index.context,
            )
            if "alias" in candidate.methods:
                pair = _alias_pair(pair)
            scored.append((pair, candidate.method))
        scored.sort(key=lambda item: (-item[0].score, item[0].cigar_id))
        brand_name = index.brands.names.get(label.brand_id, "") if label.brand_id else ""
        result = EntryResult(
            entry=entry,
            outcome="no_candidate",
            brand_name=brand_name,
            candidate_ids=[pair.cigar_id for pair, _ in scored],
            # The name with its edition: "Robustos Edición Regional" is not a
            # presentation of "Robustos" (``apply_claims``).
            name_key=" ".join((label.key, *sorted(label.editions))),
        )
        if scored:
            _statuses(result, scored, index=index, config=config, memory=memory, key=key)
        results.append(result)
    return results


def _statuses(
    result: EntryResult,
    scored: list[tuple[PairScore, str]],
    *,
    index: CatalogueIndex,
    config: MatchingConfig,
    memory: LabelMemory,
    key: tuple[str, str],
) -> None:
    best, method = scored[0]
    margin = best.score - scored[1][0].score if len(scored) > 1 else None
    # Uniqueness: the best is the only candidate of the brand that fits every piece of
    # conflict-capable evidence. A match that rests on learned vocabulary must be unique.
    fitting = [pair for pair, _method in scored if _fits(pair)]
    unique = _fits(best) and len(fitting) == 1
    acceptable = best.auto_acceptable and (unique or not best.evidence.learned_words)
    result.unique = unique
    status: str
    if method == "alias":
        status, outcome = MatchStatus.AUTO_ACCEPTED, "alias"
    else:
        status = config.status_for(best.score, margin, acceptable=acceptable)
        outcome = "exact" if method == "exact" else "scored"
        resolved_at = memory.not_in_catalogue.get(key)
        if resolved_at is not None:
            cigar_added = index.created[index.position[best.cigar_id]]
            if cigar_added > resolved_at and best.score >= config.reject_threshold:
                # A cigar that fits arrived after "not in the catalogue": a human looks again.
                status, outcome = MatchStatus.PENDING_REVIEW, "reopened"
            else:
                status, outcome = MatchStatus.AUTO_REJECTED, "not_in_catalogue"
    result.outcome = outcome
    kept = scored[: 1 + config.alternatives]
    for rank, (pair, pair_method) in enumerate(kept, start=1):
        result.rows.append(
            ScoredRow(
                cigar_id=pair.cigar_id,
                method=pair_method,
                score=pair.score,
                signals=_signals_json(
                    pair, margin if rank == 1 else None, unique=unique if rank == 1 else None
                ),
                status=status if rank == 1 else MatchStatus.AUTO_REJECTED,
                rank=rank,
            )
        )


# --- entry points --------------------------------------------------------------------------


def _by_source(entries: list[EntryInput]) -> dict[str, list[EntryInput]]:
    grouped: dict[str, list[EntryInput]] = defaultdict(list)
    for entry in entries:
        grouped[entry.source_slug].append(entry)
    return grouped


def _configs_by_source(
    entries: list[EntryInput], config: MatchingConfig | None
) -> dict[str, MatchingConfig]:
    """Each source's thresholds (a caller's ``config`` applies to every source)."""
    slugs = {entry.source_slug for entry in entries}
    return {slug: config or current_config(slug) for slug in slugs}


def entries_match(
    *,
    entries: QuerySet[CustomsPriceEntry],
    scope: str,
    force: bool = False,
    trigger: str = "command",
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    config: MatchingConfig | None = None,
    keep_results: bool = False,
) -> RunOutcome:
    """Match ``entries`` (the cigar ones; without ``force`` only the undecided, unscored)."""
    started = time.monotonic()
    run = MatchingRun.objects.create(scope=scope[:200], trigger=trigger, started_at=timezone.now())
    candidates = entry_inputs(entries)
    todo = candidates if force else needs_scoring(candidates)
    if on_total is not None:
        on_total(len(todo))
    model = embeddings.model_name()
    counts: Counter = Counter()
    kept: list[EntryResult] = []
    scored = 0
    try:
        index = catalogue_index(model)
        configs = _configs_by_source(candidates, config)
        batches: list[list[EntryResult]] = []
        for start in range(0, len(todo), BATCH_SIZE):
            batch = todo[start : start + BATCH_SIZE]
            memory = LabelMemory.load(batch)
            vectors = entry_vectors([e.pk for e in batch], model)
            results: list[EntryResult] = []
            for slug, entries_of_source in _by_source(batch).items():
                results += score_entries(
                    entries_of_source,
                    index=index,
                    config=configs[slug],
                    memory=memory,
                    vectors=vectors,
                )
            batches.append(results)
        # The review floor is known once every entry is scored: a budget is a share of
        # the whole edition, filled with its most likely matches.
        apply_claims(batches, configs)
        apply_review_floors(batches, candidates, configs)
        for results in batches:
            counts.update(write_results(results))
            counts.update(f"outcome:{r.outcome}" for r in results)
            scored += len(results)
            if keep_results:
                kept.extend(results)
            if progress is not None:
                progress(len(results))
    except BaseException as exc:
        # Each batch commits on its own, so a failed run keeps what it wrote; the run row
        # says how far it got and why it stopped (the dashboard lists failed runs), and a
        # re-run picks up the entries still unscored.
        error = f"{type(exc).__name__}: {exc}"[:2000]
        _close_run(run, started, seen=len(candidates), scored=scored, counts=counts, error=error)
        raise
    _close_run(run, started, seen=len(candidates), scored=scored, counts=counts)
    logger.info(
        "matching run %s finished: %s entries seen, %s scored in %.2fs %s",
        run.pk,
        run.entries_seen,
        run.entries_scored,
        run.duration_seconds,
        run.counts,
        extra={"entries_scored": run.entries_scored, "duration_seconds": run.duration_seconds},
    )
    return RunOutcome(run=run, results=kept)


def _close_run(
    run: MatchingRun, started: float, *, seen: int, scored: int, counts, error: str = ""
) -> None:
    run.error = error
    run.entries_seen = seen
    run.entries_scored = scored
    run.counts = dict(sorted(counts.items()))
    run.duration_seconds = round(time.monotonic() - started, 3)
    run.finished_at = timezone.now()
    run.save()


def publication_match(
    *, publication: CustomsPublication, force: bool = False, trigger: str = "command", **kwargs
) -> RunOutcome:
    outcome = entries_match(
        entries=publication.entries.all(),
        scope=f"publication {publication.pk}",
        force=force,
        trigger=trigger,
        **kwargs,
    )
    # Apps above matching (the price watch) compute what the edition means for them.
    publication_matched.send(sender=CustomsPublication, publication_id=publication.pk)
    return outcome


def source_match(*, source_slug: str, force: bool = False, **kwargs) -> RunOutcome:
    return entries_match(
        entries=CustomsPriceEntry.objects.filter(publication__source__slug=source_slug),
        scope=f"source {source_slug}",
        force=force,
        **kwargs,
    )


def all_match(*, force: bool = False, **kwargs) -> RunOutcome:
    return entries_match(
        entries=CustomsPriceEntry.objects.all(), scope="all", force=force, **kwargs
    )


__all__ = [
    "MatchMethod",
    "all_match",
    "entries_match",
    "publication_match",
    "score_entries",
    "source_match",
    "write_results",
]
