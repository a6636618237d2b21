"""A cigar's pictures: services (writes) and selectors (reads) for ``MediaAsset``.

The bytes live in the media app's blob store; this module only links a cigar to a blob.
Invariant kept here: a cigar with pictures has exactly one primary picture. The database
enforces "at most one" (a partial unique index); these services add "at least one" by
making the first picture primary and promoting the next one when the primary goes.

Every write to a cigar's pictures locks the cigar row first, so two operators setting
different primaries at the same moment are serialised instead of one failing on the index.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet

from catalogue.models import AssetType, Cigar, MediaAsset
from media.images import image_put_path, image_put_upload, image_put_url
from media.models import MediaBlob

# --- selectors --------------------------------------------------------------------------


def cigar_get_by_reference(reference: str | int) -> Cigar:
    """A cigar by id, slug or external id (what operators type on the command line).

    Raises ``Cigar.DoesNotExist`` when nothing matches.
    """
    text = str(reference).strip()
    condition = Q(slug=text) | Q(external_id=text)
    if text.isdigit():
        condition |= Q(pk=int(text))
    matches = list(Cigar.objects.filter(condition)[:2])
    if len(matches) > 1:
        # An external id that looks like another cigar's id: the id wins, stated plainly.
        by_id = [cigar for cigar in matches if str(cigar.pk) == text]
        if by_id:
            return by_id[0]
    if not matches:
        raise Cigar.DoesNotExist(f"No cigar with id, slug or external id {text!r}.")
    return matches[0]


def media_asset_list(*, cigar: Cigar | int) -> QuerySet[MediaAsset]:
    """A cigar's pictures, primary first, then by position."""
    return (
        MediaAsset.objects.filter(cigar=cigar)
        .select_related("blob")
        .order_by("-is_primary", "position", "id")
    )


def media_asset_get(*, cigar: Cigar | int, asset_id: int) -> MediaAsset:
    """Raises ``MediaAsset.DoesNotExist`` unless the asset belongs to the cigar."""
    return media_asset_list(cigar=cigar).get(pk=asset_id)


def media_asset_primary(*, cigar: Cigar | int) -> MediaAsset | None:
    return media_asset_list(cigar=cigar).filter(is_primary=True).first()


# --- services ---------------------------------------------------------------------------


def _lock_cigar(cigar_id: int) -> None:
    Cigar.objects.select_for_update().filter(pk=cigar_id).values_list("pk", flat=True).first()


def _make_primary(asset: MediaAsset) -> None:
    # Unset the old primary first: the partial unique index is checked per statement.
    MediaAsset.objects.filter(cigar_id=asset.cigar_id, is_primary=True).exclude(pk=asset.pk).update(
        is_primary=False
    )
    MediaAsset.objects.filter(pk=asset.pk).update(is_primary=True)
    asset.is_primary = True


@transaction.atomic
def media_asset_create(
    *,
    cigar: Cigar,
    blob: MediaBlob,
    asset_type: str = AssetType.FRONT,
    original_url: str = "",
    is_primary: bool = False,
    position: int | None = None,
) -> MediaAsset:
    """Link a blob to a cigar. Linking the same blob again returns the existing asset.

    The cigar's first picture becomes primary whatever ``is_primary`` says.
    """
    if asset_type not in AssetType.values:
        raise ValidationError(
            {"asset_type": f"Unknown asset type {asset_type!r}; one of {AssetType.values}."}
        )
    _lock_cigar(cigar.pk)
    existing = MediaAsset.objects.filter(cigar=cigar, blob=blob).first()
    if existing is not None:
        if is_primary and not existing.is_primary:
            _make_primary(existing)
        return existing
    if position is None:
        last = MediaAsset.objects.filter(cigar=cigar).aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    asset = MediaAsset(
        cigar=cigar,
        blob=blob,
        asset_type=asset_type,
        original_url=original_url,
        position=position,
        is_primary=False,
    )
    asset.full_clean(exclude=["cigar", "blob"], validate_constraints=False)
    asset.save()
    has_primary = MediaAsset.objects.filter(cigar=cigar, is_primary=True).exists()
    if is_primary or not has_primary:
        _make_primary(asset)
    return asset


@transaction.atomic
def media_asset_set_primary(*, asset: MediaAsset) -> MediaAsset:
    """Make ``asset`` its cigar's primary picture; the old primary is unset in the same
    transaction."""
    _lock_cigar(asset.cigar_id)
    asset.refresh_from_db()
    _make_primary(asset)
    return asset


@transaction.atomic
def media_asset_update(
    *, asset: MediaAsset, asset_type: str | None = None, position: int | None = None
) -> MediaAsset:
    fields = []
    if asset_type is not None:
        if asset_type not in AssetType.values:
            raise ValidationError({"asset_type": f"Unknown asset type {asset_type!r}."})
        asset.asset_type = asset_type
        fields.append("asset_type")
    if position is not None:
        asset.position = position
        fields.append("position")
    if fields:
        asset.save(update_fields=fields)
    return asset


@transaction.atomic
def media_asset_delete(*, asset: MediaAsset) -> None:
    """Unlink a picture (the blob stays: other cigars may share it; ``prune_blobs`` collects
    it once nothing references it). A deleted primary hands over to the next picture."""
    _lock_cigar(asset.cigar_id)
    was_primary = MediaAsset.objects.filter(pk=asset.pk, is_primary=True).exists()
    cigar_id = asset.cigar_id
    asset.delete()
    if was_primary:
        successor = MediaAsset.objects.filter(cigar_id=cigar_id).order_by("position", "id").first()
        if successor is not None:
            _make_primary(successor)


# Intake + link. Not atomic on purpose: a download or an image decode must not hold a
# transaction (and the cigar's row lock) open; the blob store is idempotent anyway.


def media_asset_add_from_url(
    *,
    cigar: Cigar,
    url: str,
    asset_type: str = AssetType.FRONT,
    is_primary: bool = False,
    position: int | None = None,
) -> MediaAsset:
    blob, _result = image_put_url(url)
    return media_asset_create(
        cigar=cigar,
        blob=blob,
        asset_type=asset_type,
        original_url=url,
        is_primary=is_primary,
        position=position,
    )


def media_asset_add_from_upload(
    *,
    cigar: Cigar,
    upload: BinaryIO,
    asset_type: str = AssetType.FRONT,
    is_primary: bool = False,
    position: int | None = None,
) -> MediaAsset:
    blob = image_put_upload(upload)
    return media_asset_create(
        cigar=cigar, blob=blob, asset_type=asset_type, is_primary=is_primary, position=position
    )


def media_asset_add_from_path(
    *,
    cigar: Cigar,
    path: Path,
    asset_type: str = AssetType.FRONT,
    is_primary: bool = False,
    position: int | None = None,
) -> MediaAsset:
    blob = image_put_path(path)
    return media_asset_create(
        cigar=cigar, blob=blob, asset_type=asset_type, is_primary=is_primary, position=position
    )
