"""Merging a duplicate cigar: the catalogue's rows.

Real third-party catalogues hold duplicates; a duplicate is merged into the cigar that
stays, never deleted with what points to it. The whole merge (match rows and their events
included) is ``matching.services.merge.cigar_merge``, which moves the rows of the apps above
the catalogue and then calls ``cigar_merge_catalogue_rows`` for these: aliases (with an audit
row each), packages, pictures, tasting notes, source records, the blend when the kept
cigar has none, and any other table pointing at the duplicate with a plain foreign key;
then it leaves a ``SourceRecord`` of the merge on the kept cigar.
"""

from __future__ import annotations

from collections import Counter

from django.db import models, transaction

from accounts.actors import Actor, recorded_user
from catalogue.models import (
    AliasAction,
    AliasKind,
    BlendComponent,
    Cigar,
    CigarAlias,
    CigarPackage,
    MediaAsset,
    SourceRecord,
    TastingNote,
)
from catalogue.services.aliases import alias_event_record, alias_snapshot
from catalogue.services.notes import source_record_create

#: ``SourceRecord.parser`` of the record a merge leaves on the kept cigar.
MERGE_RECORD_PARSER = "cigar_merge"
# Rows moved (or resolved) one by one above; every other relation is re-pointed wholesale.
_HANDLED = {CigarAlias, CigarPackage, MediaAsset, TastingNote, SourceRecord, BlendComponent}


class MergeRefused(Exception):
    """The merge would contradict a human decision or break an invariant; nothing changed."""


def _merge_note(duplicate: Cigar, into: Cigar, reason: str) -> str:
    return f"merged cigar {duplicate.pk} ({duplicate.full_name}) into {into.pk}: {reason}"


def _move_aliases(*, duplicate: Cigar, into: Cigar, actor: Actor, reason: str) -> int:
    """Each alias of the duplicate now names the kept cigar; a contradiction refuses."""
    kept = {
        (a.source_slug, a.normalised_label, a.kind): a
        for a in CigarAlias.objects.select_for_update().filter(cigar=into)
    }
    note = _merge_note(duplicate, into, reason)
    moved = 0
    for alias in CigarAlias.objects.select_for_update().filter(cigar=duplicate).order_by("pk"):
        key = (alias.source_slug, alias.normalised_label)
        opposite = AliasKind.REJECTED if alias.kind == AliasKind.ACCEPTED else AliasKind.ACCEPTED
        if (*key, opposite) in kept:
            raise MergeRefused(
                f"The label {alias.normalised_label!r} ({alias.source_slug}) is "
                f"{alias.kind} for cigar {duplicate.pk} but {opposite} for cigar {into.pk}: "
                "a reviewer said they differ. Settle that label first."
            )
        before = alias_snapshot(alias)
        twin = kept.get((*key, alias.kind))
        if twin is not None:
            # The same decision already holds for the kept cigar: one row says it now.
            alias_event_record(
                alias=alias,
                action=AliasAction.MERGED,
                actor=actor,
                reason=f"{note} (same as alias {twin.pk}, which stays)",
                before=before,
                after=alias_snapshot(twin),
            )
            alias.delete()
        else:
            alias.cigar = into
            alias.save(update_fields=["cigar", "updated_at"])
            alias_event_record(
                alias=alias,
                action=AliasAction.MERGED,
                actor=actor,
                reason=note,
                before=before,
                after=alias_snapshot(alias),
            )
        moved += 1
    return moved


def _move_packages(*, duplicate: Cigar, into: Cigar) -> int:
    """Packages move; one the kept cigar already lists keeps the duplicate's price if it
    had none (unique per cigar, merchant, packaging and pack size)."""
    existing = {
        (p.merchant, p.packaging, p.pack_size): p for p in CigarPackage.objects.filter(cigar=into)
    }
    moved = 0
    for package in CigarPackage.objects.filter(cigar=duplicate).order_by("pk"):
        twin = existing.get((package.merchant, package.packaging, package.pack_size))
        if twin is None:
            package.cigar = into
            package.save(update_fields=["cigar"])
        else:
            if twin.price is None and package.price is not None:
                for name in ("price", "currency", "source_url", "observed_at", "is_available"):
                    setattr(twin, name, getattr(package, name))
                twin.save()
            package.delete()
        moved += 1
    return moved


def _move_media(*, duplicate: Cigar, into: Cigar) -> int:
    """Pictures move after the kept cigar's own; its primary picture stays the primary."""
    blobs = set(MediaAsset.objects.filter(cigar=into).values_list("blob_id", flat=True))
    has_primary = MediaAsset.objects.filter(cigar=into, is_primary=True).exists()
    offset = (
        MediaAsset.objects.filter(cigar=into).aggregate(m=models.Max("position"))["m"] or 0
    ) + 1
    moved = 0
    for asset in MediaAsset.objects.filter(cigar=duplicate).order_by("position", "pk"):
        if asset.blob_id in blobs:
            asset.delete()  # the same picture, already shown for the kept cigar
        else:
            asset.cigar = into
            asset.position += offset
            if has_primary:
                asset.is_primary = False
            has_primary = has_primary or asset.is_primary
            asset.save(update_fields=["cigar", "position", "is_primary"])
        moved += 1
    return moved


@transaction.atomic
def cigar_merge_catalogue_rows(
    *, duplicate: Cigar, into: Cigar, actor: Actor, reason: str
) -> dict[str, int]:
    """Move the catalogue rows of ``duplicate`` to ``into``; returns the counts per kind.

    The caller holds both cigars locked and deletes the duplicate afterwards (a relation
    with ``on_delete=PROTECT`` is left alone here: its app moves it with its own audit).
    """
    if duplicate.pk == into.pk:
        raise MergeRefused("A cigar cannot be merged into itself.")
    counts: Counter[str] = Counter()
    counts["aliases"] = _move_aliases(duplicate=duplicate, into=into, actor=actor, reason=reason)
    counts["packages"] = _move_packages(duplicate=duplicate, into=into)
    counts["media"] = _move_media(duplicate=duplicate, into=into)
    counts["tasting_notes"] = TastingNote.objects.filter(cigar=duplicate).update(cigar=into)
    counts["source_records"] = SourceRecord.objects.filter(cigar=duplicate).update(cigar=into)
    if not BlendComponent.objects.filter(cigar=into).exists():
        counts["blend"] = BlendComponent.objects.filter(cigar=duplicate).update(cigar=into)
    for relation in Cigar._meta.related_objects:
        model = relation.related_model
        if model in _HANDLED or not relation.one_to_many:
            continue
        if relation.on_delete is models.PROTECT:
            continue
        moved = model._base_manager.filter(**{relation.field.name: duplicate}).update(
            **{relation.field.name: into}
        )
        if moved:
            counts[model._meta.label_lower] = moved
    # The merge's own record, on the kept cigar: what the duplicate was (its external id
    # included, which disappears with it), who merged it, why, and what moved.
    source_record_create(
        url=f"catalogue:cigar/{duplicate.pk}",
        parser=MERGE_RECORD_PARSER,
        parser_version="1",
        cigar=into,
        notes=reason,
        stats={
            "duplicate_id": duplicate.pk,
            "duplicate_full_name": duplicate.full_name,
            "duplicate_external_id": duplicate.external_id,
            "merged_by": str(user) if (user := recorded_user(actor)) else None,
            "moved": dict(counts),
        },
    )
    return dict(counts)
