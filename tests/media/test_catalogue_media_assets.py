"""catalogue/media_assets.py: linking pictures to cigars, and the one-primary invariant."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from catalogue.media_assets import (
    cigar_get_by_reference,
    media_asset_add_from_upload,
    media_asset_add_from_url,
    media_asset_create,
    media_asset_delete,
    media_asset_list,
    media_asset_primary,
    media_asset_set_primary,
    media_asset_update,
)
from catalogue.models import Cigar, MediaAsset
from media.exceptions import ImageRefusedError
from media.models import MediaBlob
from media.services import blob_put_bytes
from tests import factories as f
from tests.support.http_server import Reply

pytestmark = pytest.mark.django_db


def primaries(cigar) -> list[int]:
    return list(
        MediaAsset.objects.filter(cigar=cigar, is_primary=True).values_list("pk", flat=True)
    )


def test_first_picture_becomes_primary_and_positions_follow():
    cigar = f.CigarFactory()
    first = media_asset_create(cigar=cigar, blob=blob_put_bytes(b"one"))
    second = media_asset_create(cigar=cigar, blob=blob_put_bytes(b"two"), asset_type="band")
    assert first.is_primary
    assert not second.is_primary
    assert (first.position, second.position) == (0, 1)
    assert primaries(cigar) == [first.pk]


def test_marking_two_assets_primary_one_after_the_other_keeps_one_primary():
    cigar = f.CigarFactory()
    a = media_asset_create(cigar=cigar, blob=blob_put_bytes(b"a"), is_primary=True)
    b = media_asset_create(cigar=cigar, blob=blob_put_bytes(b"b"), is_primary=True)
    assert primaries(cigar) == [b.pk]
    media_asset_set_primary(asset=a)
    assert primaries(cigar) == [a.pk]
    assert list(media_asset_list(cigar=cigar)) == [a, b]


def test_primary_is_per_cigar():
    blob = blob_put_bytes(b"shared picture")
    one, two = f.CigarFactory(), f.CigarFactory()
    x = media_asset_create(cigar=one, blob=blob, is_primary=True)
    y = media_asset_create(cigar=two, blob=blob, is_primary=True)
    assert (primaries(one), primaries(two)) == ([x.pk], [y.pk])


def test_linking_the_same_blob_twice_returns_the_existing_asset():
    cigar = f.CigarFactory()
    blob = blob_put_bytes(b"same")
    media_asset_create(cigar=cigar, blob=blob_put_bytes(b"other"))
    first = media_asset_create(cigar=cigar, blob=blob)
    again = media_asset_create(cigar=cigar, blob=blob, is_primary=True)
    assert again.pk == first.pk
    assert primaries(cigar) == [first.pk]
    assert MediaAsset.objects.filter(cigar=cigar).count() == 2


def test_unknown_asset_type_is_refused():
    with pytest.raises(ValidationError, match="Unknown asset type"):
        media_asset_create(cigar=f.CigarFactory(), blob=blob_put_bytes(b"x"), asset_type="wrapper")
    assert MediaAsset.objects.count() == 0


def test_deleting_the_primary_promotes_the_next_picture():
    cigar = f.CigarFactory()
    a = media_asset_create(cigar=cigar, blob=blob_put_bytes(b"a"))
    b = media_asset_create(cigar=cigar, blob=blob_put_bytes(b"b"))
    media_asset_create(cigar=cigar, blob=blob_put_bytes(b"c"))
    media_asset_delete(asset=a)
    assert primaries(cigar) == [b.pk]
    assert MediaBlob.objects.count() == 3  # blobs stay until prune_blobs


def test_update_changes_type_and_position():
    asset = media_asset_create(cigar=f.CigarFactory(), blob=blob_put_bytes(b"a"))
    media_asset_update(asset=asset, asset_type="foot", position=7)
    asset.refresh_from_db()
    assert (asset.asset_type, asset.position) == ("foot", 7)
    with pytest.raises(ValidationError):
        media_asset_update(asset=asset, asset_type="nope")


@pytest.mark.django_db(transaction=True)
def test_concurrent_primary_changes_leave_exactly_one_primary():
    cigar = f.CigarFactory()
    assets = [media_asset_create(cigar=cigar, blob=blob_put_bytes(bytes([n]))) for n in range(6)]
    barrier = threading.Barrier(len(assets))
    errors = []

    def make_primary(asset):
        try:
            barrier.wait()
            media_asset_set_primary(asset=asset)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=make_primary, args=(a,)) for a in assets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(primaries(cigar)) == 1


def test_add_from_upload_and_from_url(http_server, jpeg_bytes, png_bytes):
    cigar = f.CigarFactory()
    uploaded = media_asset_add_from_upload(cigar=cigar, upload=io.BytesIO(jpeg_bytes))
    http_server.route("/band.png", Reply(200, png_bytes, {"Content-Type": "image/png"}))
    url = http_server.url("/band.png")
    fetched = media_asset_add_from_url(cigar=cigar, url=url, asset_type="band", is_primary=True)
    assert (fetched.original_url, fetched.asset_type, fetched.blob.width) == (url, "band", 64)
    assert media_asset_primary(cigar=cigar) == fetched
    assert uploaded.blob.mime_type == "image/jpeg"


def test_a_refused_upload_creates_no_asset():
    cigar = f.CigarFactory()
    with pytest.raises(ImageRefusedError):
        media_asset_add_from_upload(cigar=cigar, upload=io.BytesIO(b"<svg></svg>"))
    assert MediaAsset.objects.count() == 0
    assert MediaBlob.objects.count() == 0


def test_cigar_reference_by_id_slug_or_external_id():
    cigar = f.CigarFactory(external_id="HAB-001")
    assert cigar_get_by_reference(str(cigar.pk)) == cigar
    assert cigar_get_by_reference(cigar.slug) == cigar
    assert cigar_get_by_reference("HAB-001") == cigar
    with pytest.raises(Cigar.DoesNotExist, match="No cigar"):
        cigar_get_by_reference("nothing-like-this")


def test_an_id_wins_over_an_external_id_that_looks_like_one():
    target = f.CigarFactory()
    f.CigarFactory(external_id=str(target.pk))
    assert cigar_get_by_reference(str(target.pk)) == target
