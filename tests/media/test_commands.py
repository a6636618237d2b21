"""verify_blobs, prune_blobs (media) and media_add (catalogue)."""

from __future__ import annotations

import os
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalogue.models import MediaAsset
from media.models import MediaBlob
from media.services import blob_put_bytes
from media.storage import thumbnail_key
from tests import factories as f
from tests.media.conftest import age_blob, make_image, stored_files
from tests.support.http_server import Reply

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


# --- verify_blobs -------------------------------------------------------------------------


def test_verify_blobs_passes_on_a_healthy_store():
    blob_put_bytes(b"one")
    blob_put_bytes(b"two")
    assert "Checked 2 blobs (6 bytes): 2 ok, 0 missing, 0 corrupted." in run("verify_blobs")


def test_verify_blobs_detects_a_corrupted_file(blob_root):
    good = blob_put_bytes(b"healthy bytes")
    bad = blob_put_bytes(b"original bytes")
    (blob_root / bad.storage_key).write_bytes(b"bit-rotted bytes")
    with pytest.raises(CommandError, match=rf"1 damaged blob\(s\): {bad.digest[:12]}… corrupted"):
        run("verify_blobs")
    # Only the healthy one when asked for it.
    assert "1 ok" in run("verify_blobs", "--digest", good.digest)


def test_verify_blobs_detects_a_missing_file(blob_root):
    blob = blob_put_bytes(b"soon gone")
    (blob_root / blob.storage_key).unlink()
    with pytest.raises(CommandError, match="missing"):
        run("verify_blobs")


def test_verify_blobs_detects_a_wrong_size_row():
    blob = blob_put_bytes(b"twelve bytes")
    MediaBlob.objects.filter(pk=blob.pk).update(size=11)
    with pytest.raises(CommandError, match="corrupted"):
        run("verify_blobs")


# --- prune_blobs --------------------------------------------------------------------------


def test_prune_blobs_dry_run_then_for_real(blob_root):
    kept = blob_put_bytes(b"kept")
    gone = blob_put_bytes(b"gone")
    age_blob(kept)
    age_blob(gone)
    f.MediaAssetFactory(blob=kept)

    output = run("prune_blobs", "--dry-run")
    assert f"would delete blob {gone.digest}" in output
    assert "media_asset.blob_id" in output
    assert "customs_publication.raw_blob_id" in output
    assert MediaBlob.objects.count() == 2

    output = run("prune_blobs")
    assert "Deleted 1 unreferenced blob(s) (up to 4 bytes)" in output
    assert list(MediaBlob.objects.values_list("digest", flat=True)) == [kept.digest]


def test_prune_blobs_removes_stray_files_but_spares_fresh_ones(blob_root):
    blob = blob_put_bytes(b"kept with its thumbnail")
    f.MediaAssetFactory(blob=blob)
    thumb = blob_root / thumbnail_key(blob.digest, 256)
    thumb.parent.mkdir(parents=True)
    thumb.write_bytes(b"webp")
    stray = blob_root / "ab" / "cd" / ("abcd" + "0" * 60)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"from a rolled-back put")
    staging = blob_root / ".tmp" / "put-crashed.part"
    staging.write_bytes(b"half a file")
    fresh = blob_root / ".tmp" / "put-in-progress.part"
    fresh.write_bytes(b"being written")
    old = time.time() - 3 * 3600
    for path in (stray, staging, thumb, blob_root / blob.storage_key):
        os.utime(path, (old, old))

    output = run("prune_blobs")
    assert "and 2 stray file(s)" in output
    assert not stray.exists()
    assert not staging.exists()
    assert fresh.exists()
    assert thumb.exists()
    assert (blob_root / blob.storage_key).exists()


# --- media_add ------------------------------------------------------------------------------


def test_media_add_from_a_local_file_by_slug(tmp_path):
    cigar = f.CigarFactory()
    path = tmp_path / "front.png"
    path.write_bytes(make_image("PNG", (30, 20)))
    output = run("media_add", cigar.slug, str(path), "--type", "front", "--primary")
    asset = MediaAsset.objects.get(cigar=cigar)
    assert (asset.asset_type, asset.is_primary, asset.blob.width) == ("front", True, 30)
    assert "30x20" in output
    assert "primary" in output


def test_media_add_from_a_url_by_external_id(http_server, jpeg_bytes):
    cigar = f.CigarFactory(external_id="EXT-42")
    http_server.route("/band.jpg", Reply(200, jpeg_bytes, {"Content-Type": "image/jpeg"}))
    run("media_add", "EXT-42", http_server.url("/band.jpg"), "--type", "band")
    asset = MediaAsset.objects.get(cigar=cigar)
    assert (asset.asset_type, asset.original_url) == ("band", http_server.url("/band.jpg"))


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("file:///etc/passwd", "Only http and https URLs or local files"),
        ("http://169.254.169.254/latest/meta-data/", "Refused: Refused to fetch"),
        ("/no/such/file.jpg", "No such file"),
    ],
)
def test_media_add_refusals_are_clear_and_leave_nothing(blob_root, source, message):
    cigar = f.CigarFactory()
    with pytest.raises(CommandError, match=message):
        run("media_add", str(cigar.pk), source)
    assert MediaAsset.objects.count() == 0
    assert stored_files(blob_root) == []


def test_media_add_refuses_a_disguised_file(tmp_path, blob_root):
    cigar = f.CigarFactory()
    path = tmp_path / "front.jpg"
    path.write_bytes(b"<html><body>not a cigar</body></html>")
    with pytest.raises(CommandError, match="HTML disguised as an image"):
        run("media_add", str(cigar.pk), str(path))
    assert stored_files(blob_root) == []


def test_media_add_unknown_cigar():
    with pytest.raises(CommandError, match="No cigar with id, slug or external id"):
        run("media_add", "ghost", "front.jpg")
