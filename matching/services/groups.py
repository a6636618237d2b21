"""Review at scale: one queue item per product, whole brands at once, labels reopened when
the catalogue gains a cigar that fits.

A **review group** is the set of pending entries of one source whose labels name the same
product: the same brand, name words, edition words and printed dimensions once the pack
clause, the parenthesised packaging and the presentation words (tubos, coffret, petaca…)
are set aside — across editions. ``Cohiba Robustos, en 25 cigares``, ``Cohiba Robustos
(tube), en 3 cigares`` and ``Cohiba Robustos (coffret), en 10 cigares`` of June and
November are one item. The key comes from the matcher's own reading of the label
(``matching.analysis.analyse_label``), so a brand spelled "Monte Cristo" groups with
"Montecristo". An operator can split a label off its group (``ReviewGroupSplit``).

Every decision on a group goes through the decision services of
``matching.services.decisions``, entry by entry, inside one transaction that locks every
entry of the group first: one match event per entry, the label memory (``CigarAlias``)
written per label, so later editions resolve without review.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from catalogue.models import AliasKind, Cigar, CigarAlias
from customs.models import CustomsPriceEntry
from matching.analysis import BrandIndex, LabelAnalysis, analyse_label
from matching.models import (
    CigarCustomsMatch,
    MatchStatus,
    ReviewGroupMember,
    ReviewGroupSplit,
)
from matching.services.decisions import (
    DecisionConflict,
    decision_atomic,
    entry_mark_not_in_catalogue,
    entry_repoint,
    match_reject,
)
from matching.services.writes import lock_entries

logger = logging.getLogger(__name__)

#: Words that name how a product is presented, not which product it is (in their
#: normalised, singular form: ``normalise_name`` turns "Tubos" into "tubo").
PRESENTATION_WORDS = frozenset(
    {
        "tube", "tubo", "coffret", "boite", "box", "boxe", "etui", "tin", "petaca",
        "cabinet", "lata", "estuche", "mazo", "fagot", "pack", "paquet", "bundle",
        "alu", "aluminium", "metal", "cedre", "cedro", "humidor", "jarre", "jar",
        "semanario", "sampler", "gift",
    }
)  # fmt: skip
SPLIT_PREFIX = "label:"
UNKNOWN_BRAND = "?"
BRAND_NOT_CARRIED_NOTE = "brand not carried"

GROUP_ACTIONS = ("accept", "reject", "not_in_catalogue", "repoint")


@dataclass(frozen=True)
class GroupIdentity:
    group_key: str
    brand_key: str
    brand_name: str


def brand_identity(label: LabelAnalysis) -> tuple[str, str]:
    """The brand a label names: a catalogue brand by id, else its first word."""
    if label.brand_id is not None:
        return f"b{label.brand_id}", label.brand_name
    if label.tokens:
        return f"w:{label.tokens[0]}", label.tokens[0].title()
    return UNKNOWN_BRAND, ""


def group_identity(label: LabelAnalysis, *, split_label: str | None = None) -> GroupIdentity:
    """The group key of a label (``split_label``: the label was split off its group)."""
    brand_key, brand_name = brand_identity(label)
    if split_label is not None:
        return GroupIdentity(f"{SPLIT_PREFIX}{split_label}", brand_key, brand_name)
    words = sorted(t for t in label.rest if t not in PRESENTATION_WORDS)
    parts = [brand_key, " ".join(words), ";".join(sorted(label.editions))]
    if label.ring_gauge or label.length_mm:
        # Printed dimensions tell two products of one name apart.
        parts.append(f"{label.ring_gauge or ''}x{label.length_mm or ''}")
    return GroupIdentity("|".join(parts), brand_key, brand_name)


# --- keeping the group keys of pending entries ------------------------------------------------


def pending_entry_ids() -> QuerySet:
    """Entries whose best candidate awaits a human."""
    return CigarCustomsMatch.objects.filter(status=MatchStatus.PENDING_REVIEW, rank=1).values_list(
        "price_entry_id", flat=True
    )


def _brand_index() -> BrandIndex:
    from matching.selectors import brand_index

    return brand_index()


def group_members_refresh(
    *, entry_ids: Iterable[int] | None = None, recompute: bool = False
) -> int:
    """Compute the group key of pending entries (``entry_ids``: those entries, pending or
    not) that have none or whose label changed; ``recompute`` redoes them all (after a
    split, or when the catalogue's brands changed). Returns how many were (re)computed."""
    ids = set(entry_ids) if entry_ids is not None else set(pending_entry_ids())
    if not ids:
        return 0
    entries = list(
        CustomsPriceEntry.objects.filter(pk__in=ids).values_list(
            "pk", "publication__source__slug", "raw_label", "new_label", "normalised_label"
        )
    )
    known = dict(
        ReviewGroupMember.objects.filter(price_entry_id__in=ids).values_list(
            "price_entry_id", "label_key"
        )
    )
    todo = [e for e in entries if recompute or known.get(e[0]) != e[4]]
    if not todo:
        return 0
    splits = set(
        ReviewGroupSplit.objects.filter(
            source_slug__in={e[1] for e in todo}, normalised_label__in={e[4] for e in todo}
        ).values_list("source_slug", "normalised_label")
    )
    brands = _brand_index()
    members = []
    for pk, slug, raw, new, normalised in todo:
        label = analyse_label(new or raw, brands)
        identity = group_identity(
            label, split_label=normalised if (slug, normalised) in splits else None
        )
        members.append(
            ReviewGroupMember(
                price_entry_id=pk,
                source_slug=slug,
                group_key=identity.group_key[:600],
                brand_key=identity.brand_key[:120],
                brand_name=identity.brand_name[:120],
                label_key=normalised,
                computed_at=timezone.now(),
            )
        )
    ReviewGroupMember.objects.bulk_create(
        members,
        update_conflicts=True,
        unique_fields=["price_entry"],
        update_fields=["source_slug", "group_key", "brand_key", "brand_name", "label_key"],
        batch_size=1000,
    )
    return len(members)


def group_split(
    *, source_slug: str, normalised_labels: Iterable[str], actor, note: str = ""
) -> int:
    """Split labels off their group: each becomes an item of its own (all its editions).

    Remembered per source and label, so later editions keep them apart. Returns how many
    labels were newly split.
    """
    labels = {label for label in normalised_labels if label}
    created = 0
    for label in sorted(labels):
        _split, made = ReviewGroupSplit.objects.get_or_create(
            source_slug=source_slug,
            normalised_label=label,
            defaults={"created_by": actor if getattr(actor, "pk", None) else None, "note": note},
        )
        created += made
    affected = CustomsPriceEntry.objects.filter(
        publication__source__slug=source_slug, normalised_label__in=labels
    ).values_list("pk", flat=True)
    group_members_refresh(entry_ids=list(affected), recompute=True)
    return created


# --- deciding a group ---------------------------------------------------------------------


@dataclass
class GroupOutcome:
    """What one group decision did: the entries settled, and those left alone."""

    settled: list[int] = field(default_factory=list)
    conflicts: list[int] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return len(self.settled)


def group_pending_entries(*, entry: CustomsPriceEntry) -> list[CustomsPriceEntry]:
    """The pending entries of ``entry``'s group, ``entry`` excluded (oldest edition first)."""
    # Every pending entry must carry its key, or a member would be missed.
    group_members_refresh()
    group_members_refresh(entry_ids=[entry.pk])
    member = ReviewGroupMember.objects.filter(price_entry_id=entry.pk).first()
    if member is None:
        return []
    return list(
        CustomsPriceEntry.objects.filter(
            review_group__source_slug=member.source_slug,
            review_group__group_key=member.group_key,
            pk__in=pending_entry_ids(),
        )
        .exclude(pk=entry.pk)
        .select_related("publication__source")
        .order_by("publication__effective_date", "pk")
    )


def _best_pending(entry_id: int) -> CigarCustomsMatch | None:
    return (
        CigarCustomsMatch.objects.filter(
            price_entry_id=entry_id, rank=1, status=MatchStatus.PENDING_REVIEW
        )
        .order_by("-score", "pk")
        .first()
    )


def _settle_member(
    member: CustomsPriceEntry, *, action: str, cigar: Cigar | None, actor, note: str
) -> bool:
    """One member of the group, through the same decision service. False: left alone."""
    best = _best_pending(member.pk)
    if best is None:
        return False  # decided meanwhile (another reviewer, a matcher run)
    if action == "not_in_catalogue":
        entry_mark_not_in_catalogue(entry=member, actor=actor, note=note)
    elif cigar is None:
        raise ValueError(f"A group {action} needs its cigar.")
    elif action in ("accept", "repoint"):
        entry_repoint(entry=member, cigar=cigar, actor=actor, note=note)
    elif action == "reject":
        if best.cigar_id != cigar.pk:
            return False  # its best candidate is another cigar: the reviewer did not see it
        match_reject(match=best, actor=actor, note=note)
    else:
        raise ValueError(f"Unknown group decision {action!r}.")
    return True


def group_settle_members(
    *,
    entry: CustomsPriceEntry,
    action: str,
    actor,
    cigar: Cigar | None = None,
    note: str = "",
    decide_entry=None,
) -> GroupOutcome:
    """Settle every pending entry of ``entry``'s group the way ``entry`` was decided.

    ``decide_entry`` (optional) decides ``entry`` itself inside the same transaction (the
    review page's decision, with its version check): if it is refused, nothing of the
    group is written. ``cigar``: the accepted, re-pointed or rejected cigar.
    """
    if action in ("accept", "repoint", "reject") and cigar is None:
        raise ValueError(f"A group {action} needs its cigar.")
    members = group_pending_entries(entry=entry)
    outcome = GroupOutcome()
    with decision_atomic():
        # Every entry of the group locked at once, in id order (as the matcher locks).
        lock_entries([entry.pk, *(m.pk for m in members)])
        if decide_entry is not None:
            decide_entry()
            outcome.settled.append(entry.pk)
        for member in members:
            try:
                done = _settle_member(member, action=action, cigar=cigar, actor=actor, note=note)
            except DecisionConflict:
                done = False
            (outcome.settled if done else outcome.conflicts).append(member.pk)
    return outcome


# --- whole brands ------------------------------------------------------------------------


def brand_pending_entries(*, brand_key: str, source_slug: str | None = None) -> QuerySet:
    group_members_refresh()
    queryset = CustomsPriceEntry.objects.filter(
        review_group__brand_key=brand_key, pk__in=pending_entry_ids()
    )
    if source_slug:
        queryset = queryset.filter(publication__source__slug=source_slug)
    return queryset.select_related("publication__source").order_by("pk")


def brand_mark_not_carried(
    *, brand_key: str, actor, source_slug: str | None = None, note: str = ""
) -> GroupOutcome:
    """Every pending label under the brand: "not in the catalogue", remembered per label.

    Later editions of those labels resolve without review; a cigar of the brand added to
    the catalogue later reopens the labels it fits (``labels_reopen_for_cigar``).
    """
    entries = list(brand_pending_entries(brand_key=brand_key, source_slug=source_slug))
    note = note or BRAND_NOT_CARRIED_NOTE
    outcome = GroupOutcome()
    with decision_atomic():
        lock_entries([e.pk for e in entries])
        for entry in entries:
            if _best_pending(entry.pk) is None:
                outcome.conflicts.append(entry.pk)
                continue
            try:
                entry_mark_not_in_catalogue(entry=entry, actor=actor, note=note)
            except DecisionConflict:
                outcome.conflicts.append(entry.pk)
            else:
                outcome.settled.append(entry.pk)
    return outcome


# --- the catalogue gains a cigar ------------------------------------------------------------


def labels_reopen_for_cigar(*, cigar: Cigar) -> list[int]:
    """The labels "not in the catalogue" that ``cigar`` may fit, matched again."""
    cigar = Cigar.objects.select_related("line").get(pk=cigar.pk)
    return labels_reopen_for_brand(brand_id=cigar.line.brand_id)


def labels_reopen_for_brand(*, brand_id: int) -> list[int]:
    """Re-run the matcher on the labels "not in the catalogue" that name the brand.

    The matcher itself decides what reopens: a label whose best candidate is now a cigar
    added after the "not in the catalogue" decision, scoring at least the review floor,
    goes back to review (outcome ``reopened``); the others stay resolved. Returns the
    reopened entries.
    """
    from matching.models import EntryMatchState
    from matching.services.runs import entries_match

    pairs = set(
        CigarAlias.objects.filter(kind=AliasKind.NOT_IN_CATALOGUE).values_list(
            "source_slug", "normalised_label"
        )
    )
    if not pairs:
        return []
    rows = CustomsPriceEntry.objects.filter(
        normalised_label__in={label for _slug, label in pairs}
    ).values_list("pk", "publication__source__slug", "normalised_label", "raw_label", "new_label")
    brands = _brand_index()
    analysed: dict[str, int | None] = {}
    entry_ids = []
    for pk, slug, normalised, raw, new in rows:
        if (slug, normalised) not in pairs:
            continue
        text = new or raw
        if text not in analysed:
            analysed[text] = analyse_label(text, brands).brand_id
        if analysed[text] == brand_id:
            entry_ids.append(pk)
    if not entry_ids:
        return []
    entries_match(
        entries=CustomsPriceEntry.objects.filter(pk__in=entry_ids),
        scope=f"reopen for brand {brand_id}",
        force=True,
        trigger="cigar_added",
    )
    reopened = list(
        EntryMatchState.objects.filter(
            price_entry_id__in=entry_ids, outcome="reopened"
        ).values_list("price_entry_id", flat=True)
    )
    # The earlier decision's rows step back behind the new proposal (rank only: their
    # status, decider and note stay as the reviewer left them).
    for entry_id in reopened:
        if _best_pending(entry_id) is not None:
            CigarCustomsMatch.objects.filter(price_entry_id=entry_id, rank=1).exclude(
                status=MatchStatus.PENDING_REVIEW
            ).update(rank=2)
    group_members_refresh(entry_ids=reopened)
    logger.info("brand %s: %s label(s) reopened", brand_id, len(reopened))
    return reopened
