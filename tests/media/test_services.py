from __future__ import annotations

import io
import threading

import blake3
import pytest
from django.db.models import ProtectedError

from media.exceptions import TooLargeRefusedError
from media.models import MediaBlob
from media.selectors import blob_open, blob_path_or_none
from media.services import blob_delete, blob_prune, blob_put_bytes, blob_put_file, blob_put_stream
from media.storage import blob_key, thumbnail_key
from tests import factories as f
from tests.media.conftest import age_blob, stored_files
from tests.support.concurrency import run_in_threads

pytestmark = pytest.mark.django_db


def test_same_bytes_twice_give_one_blob():
    first = blob_put_bytes(b"price list 2026-01")
    second = blob_put_bytes(b"price list 2026-01")
    assert first.pk == second.pk
    assert MediaBlob.objects.count() == 1


def test_different_bytes_give_the_blake3_digests(blob_root):
    a = blob_put_bytes(b"edition A")
    b = blob_put_bytes(b"edition B")
    assert a.digest == blake3.blake3(b"edition A").hexdigest()
    assert b.digest == blake3.blake3(b"edition B").hexdigest()
    assert a.digest != b.digest
    assert a.size == len(b"edition A")


def test_file_is_sharded_by_digest_prefix_and_readable(blob_root):
    blob = blob_put_bytes(b"%PDF-1.7 some document")
    d = blob.digest
    assert blob.storage_key == f"{d[:2]}/{d[2:4]}/{d}"
    assert (blob_root / blob.storage_key).read_bytes() == b"%PDF-1.7 some document"
    assert blob_path_or_none(blob) == blob_root / blob.storage_key
    with blob_open(blob) as stream:
        assert stream.read() == b"%PDF-1.7 some document"
    # The staging file is gone: only the blob remains.
    assert stored_files(blob_root) == [blob_root / blob.storage_key]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.4\n", "application/pdf"),
        (b'<?xml version="1.0"?><JO/>', "application/xml"),
        (b'{"prices": []}', "application/json"),
        (b"\x00\x01\x02\xff\xfe", "application/octet-stream"),
        (b"\x89PNG\r\n\x1a\n rest", "image/png"),
    ],
)
def test_mime_type_is_sniffed_when_not_given(data, expected):
    assert blob_put_bytes(data).mime_type == expected


def test_explicit_mime_type_wins():
    blob = blob_put_bytes(b"a;b\n1;2\n", mime_type="text/csv")
    assert blob.mime_type == "text/csv"


def test_put_file_streams_a_file_larger_than_a_chunk(tmp_path):
    path = tmp_path / "big.bin"
    data = bytes(range(256)) * (5 * 1024 * 9)  # ~11.5 MB, several chunks
    path.write_bytes(data)
    blob = blob_put_file(path)
    assert blob.digest == blake3.blake3(data).hexdigest()
    assert blob.size == len(data)
    assert path.exists()  # the original is copied, not moved


def test_max_bytes_refuses_and_keeps_nothing(blob_root):
    with pytest.raises(TooLargeRefusedError, match="larger than the limit of 10 bytes"):
        blob_put_stream(io.BytesIO(b"x" * 11), max_bytes=10)
    assert MediaBlob.objects.count() == 0
    assert stored_files(blob_root) == []


def test_a_missing_file_is_restored_by_the_next_put(blob_root):
    blob = blob_put_bytes(b"restore me")
    (blob_root / blob.storage_key).unlink()
    again = blob_put_bytes(b"restore me")
    assert again.pk == blob.pk
    assert (blob_root / blob.storage_key).read_bytes() == b"restore me"


def test_existing_file_is_never_overwritten(blob_root):
    data = b"original"
    digest = blake3.blake3(data).hexdigest()
    target = blob_root / blob_key(digest)
    target.parent.mkdir(parents=True)
    target.write_bytes(data)
    inode = target.stat().st_ino
    blob = blob_put_bytes(data)
    assert blob.storage_key == blob_key(digest)
    assert target.stat().st_ino == inode


def test_a_later_image_put_fills_in_dimensions():
    blob = blob_put_bytes(b"\xff\xd8\xff fake jpeg", mime_type="application/octet-stream")
    again = blob_put_bytes(b"\xff\xd8\xff fake jpeg", mime_type="image/jpeg", width=4, height=3)
    blob.refresh_from_db()
    assert (again.pk, blob.mime_type, blob.width, blob.height) == (blob.pk, "image/jpeg", 4, 3)


@pytest.mark.django_db(transaction=True)
def test_concurrent_puts_of_the_same_bytes_all_succeed(blob_root):
    data = b"the same bytes from eight threads" * 1000
    barrier = threading.Barrier(8)
    results, errors = [], []

    def put():
        try:
            barrier.wait()
            results.append(blob_put_bytes(data).pk)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    run_in_threads(put, 8)
    assert errors == []
    assert len(set(results)) == 1
    assert MediaBlob.objects.count() == 1
    assert len(stored_files(blob_root)) == 1


def test_delete_removes_row_file_and_thumbnails(blob_root, django_capture_on_commit_callbacks):
    blob = blob_put_bytes(b"to delete")
    thumb = blob_root / thumbnail_key(blob.digest, 256)
    thumb.parent.mkdir(parents=True)
    thumb.write_bytes(b"webp")
    with django_capture_on_commit_callbacks(execute=True):
        blob_delete(blob=blob)
    assert not MediaBlob.objects.filter(digest=blob.digest).exists()
    assert stored_files(blob_root) == []


def test_delete_refuses_a_referenced_blob(blob_root):
    blob = blob_put_bytes(b"used by a cigar")
    f.MediaAssetFactory(blob=blob)
    with pytest.raises(ProtectedError):
        blob_delete(blob=blob)
    assert (blob_root / blob.storage_key).exists()


def test_prune_deletes_only_unreferenced_blobs(blob_root, django_capture_on_commit_callbacks):
    used_by_asset = blob_put_bytes(b"front picture")
    used_by_publication = blob_put_bytes(b"raw ods")
    unused = blob_put_bytes(b"orphan")
    fresh_unused = blob_put_bytes(b"just stored")
    for blob in (used_by_asset, used_by_publication, unused):
        age_blob(blob)
    f.MediaAssetFactory(blob=used_by_asset)
    f.CustomsPublicationFactory(raw_blob=used_by_publication)

    assert blob_prune(dry_run=True) == [unused.digest]
    assert MediaBlob.objects.count() == 4

    with django_capture_on_commit_callbacks(execute=True):
        assert blob_prune() == [unused.digest]
    remaining = set(MediaBlob.objects.values_list("digest", flat=True))
    assert remaining == {used_by_asset.digest, used_by_publication.digest, fresh_unused.digest}
    assert not (blob_root / unused.storage_key).exists()
    assert (blob_root / used_by_asset.storage_key).exists()


def test_store_works_without_hard_links(monkeypatch, blob_root):
    def no_links(*args):
        raise PermissionError("hard links not supported here")

    monkeypatch.setattr("media.storage.os.link", no_links)
    blob = blob_put_bytes(b"on a network mount")
    assert (blob_root / blob.storage_key).read_bytes() == b"on a network mount"
    assert blob_put_bytes(b"on a network mount").pk == blob.pk
    assert stored_files(blob_root) == [blob_root / blob.storage_key]


def test_any_django_storage_backend_can_hold_the_blobs(settings, jpeg_bytes):
    """The store speaks only the Storage API off the file system (S3 would plug in here)."""
    from media.images import image_put_upload
    from media.selectors import blob_verify, thumbnail_open

    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    blob = blob_put_bytes(b"remote bytes")
    assert blob_path_or_none(blob) is None
    with blob_open(blob) as stream:
        assert stream.read() == b"remote bytes"
    assert blob_put_bytes(b"remote bytes").pk == blob.pk
    assert blob_verify(blob).state == "ok"
    image = image_put_upload(io.BytesIO(jpeg_bytes))
    with thumbnail_open(digest=image.digest, size=256) as thumb:
        assert thumb.read()[8:12] == b"WEBP"
