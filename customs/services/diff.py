"""Edition diffs: each entry's change kind against the previous edition of the same source.

An entry is keyed by its whole normalised label (name, packaging and pack: one priced
presentation). The previous edition is keyed by the label *in force* after it, i.e. its
new label when it renamed a product, so a rename followed next time by a price change is
still recognised.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from customs.labels import label_key
from customs.models import ChangeKind, CustomsPriceEntry
from customs.rows import ExtractedEntry


@dataclass
class EntryDiff:
    kind: str
    previous: CustomsPriceEntry | None = None


@dataclass
class EditionDiff:
    kinds: list[EntryDiff]
    #: Entries of the previous edition that the new one no longer lists at all.
    disappeared: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ChangeKind.values, 0)
        for item in self.kinds:
            counts[item.kind] += 1
        return counts


def _kind_without_history(entry: ExtractedEntry) -> str:
    """First edition of a source: the sheet itself says what changed (old vs new columns)."""
    if entry.is_withdrawn:
        return ChangeKind.WITHDRAWN
    if entry.new_label:
        return ChangeKind.RENAMED
    status = entry.parsed.get("price_status")
    if entry.parsed.get("is_new_product"):
        return ChangeKind.NEW
    if status == "unchanged":
        return ChangeKind.UNCHANGED
    if status == "new":
        if entry.old_unit_price is None and entry.old_pack_price is None:
            return ChangeKind.NEW
        same = (entry.old_pack_price == entry.pack_price) and (
            entry.old_unit_price is None or entry.old_unit_price == entry.unit_price
        )
        return ChangeKind.UNCHANGED if same else ChangeKind.CHANGED
    return ChangeKind.NEW


def edition_diff(
    entries: Sequence[ExtractedEntry], previous: Iterable[CustomsPriceEntry] | None
) -> EditionDiff:
    """The change kind of every entry (``previous`` None: the source's first edition)."""
    if previous is None:
        return EditionDiff(kinds=[EntryDiff(_kind_without_history(e)) for e in entries])

    by_key: dict[str, list[CustomsPriceEntry]] = defaultdict(list)
    previous_ids: list[int] = []
    for earlier in previous:
        if earlier.is_withdrawn:
            continue
        by_key[label_key(earlier.new_label or earlier.raw_label)].append(earlier)
        previous_ids.append(earlier.pk)

    matched: set[int] = set()
    kinds: list[EntryDiff] = []
    for entry in entries:
        candidates = by_key.get(label_key(entry.raw_label), [])
        old = candidates.pop(0) if candidates else None
        if old is not None:
            matched.add(old.pk)
        if entry.is_withdrawn:
            kind = ChangeKind.WITHDRAWN
        elif entry.new_label:
            kind = ChangeKind.RENAMED
        elif old is None:
            kind = ChangeKind.NEW
        elif (old.unit_price, old.pack_price) == (entry.unit_price, entry.pack_price):
            kind = ChangeKind.UNCHANGED
        else:
            kind = ChangeKind.CHANGED
        kinds.append(EntryDiff(kind=kind, previous=old))
    return EditionDiff(kinds=kinds, disappeared=[pk for pk in previous_ids if pk not in matched])
