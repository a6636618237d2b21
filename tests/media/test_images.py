from __future__ import annotations

import io
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from media.exceptions import (
    FetchFailedError,
    ImageRefusedError,
    MediaRefusedError,
    SourceRefusedError,
    TooLargeRefusedError,
)
from media.images import image_put_path, image_put_upload, image_put_url, image_thumbnails_ensure
from media.models import MediaBlob
from media.storage import thumbnail_key
from tests.media.conftest import make_image, stored_files
from tests.support.http_server import Reply

pytestmark = pytest.mark.django_db


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A tiny PNG declaring 400 megapixels of 1-bit black (the classic bomb shape)."""
    buffer = io.BytesIO()
    Image.new("1", (width, height), 0).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _png_with_bad_crc(data: bytes) -> bytes:
    # Flip one byte inside the IDAT payload: the chunk CRC no longer matches.
    at = data.index(b"IDAT") + 6
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>"


def assert_nothing_stored(blob_root):
    assert MediaBlob.objects.count() == 0
    assert stored_files(blob_root) == []


@pytest.mark.parametrize(
    ("fmt", "mime", "size"),
    [
        ("JPEG", "image/jpeg", (320, 200)),
        ("PNG", "image/png", (64, 48)),
        ("WEBP", "image/webp", (1600, 1200)),
    ],
)
def test_upload_of_each_allowed_format_records_type_and_dimensions(blob_root, fmt, mime, size):
    upload = SimpleUploadedFile("whatever.bin", make_image(fmt, size), content_type="text/plain")
    blob = image_put_upload(upload)
    assert (blob.mime_type, blob.width, blob.height) == (mime, *size)
    assert (blob_root / blob.storage_key).exists()


def test_thumbnails_are_webp_never_upscaled_and_rendered_once(blob_root, webp_bytes):
    big = image_put_upload(io.BytesIO(webp_bytes))
    for size, expected in ((256, (256, 192)), (1024, (1024, 768))):
        path = blob_root / thumbnail_key(big.digest, size)
        with Image.open(path) as thumb:
            assert (thumb.format, thumb.size) == ("WEBP", expected)
    small = image_put_upload(io.BytesIO(make_image("PNG", (64, 48), (10, 20, 30, 128))))
    with Image.open(blob_root / thumbnail_key(small.digest, 1024)) as thumb:
        assert thumb.size == (64, 48)
        assert thumb.mode == "RGBA"  # transparency survives
    path = blob_root / thumbnail_key(big.digest, 256)
    inode = path.stat().st_ino
    image_thumbnails_ensure(blob=big)
    assert path.stat().st_ino == inode


def test_missing_thumbnails_are_rendered_from_the_stored_blob(blob_root, jpeg_bytes):
    blob = image_put_upload(io.BytesIO(jpeg_bytes))
    (blob_root / thumbnail_key(blob.digest, 256)).unlink()
    image_thumbnails_ensure(blob=blob)
    with Image.open(blob_root / thumbnail_key(blob.digest, 256)) as thumb:
        assert thumb.size == (256, 160)


def test_thumbnails_of_a_non_image_blob_are_refused():
    from media.services import blob_put_bytes

    blob = blob_put_bytes(b"%PDF-1.7")
    with pytest.raises(ImageRefusedError, match="not an image"):
        image_thumbnails_ensure(blob=blob)


def test_the_same_image_uploaded_twice_is_one_blob(jpeg_bytes):
    first = image_put_upload(io.BytesIO(jpeg_bytes))
    second = image_put_upload(SimpleUploadedFile("again.jpg", jpeg_bytes))
    assert first.pk == second.pk
    assert MediaBlob.objects.count() == 1


@pytest.mark.parametrize(
    ("make_data", "code", "message"),
    [
        (lambda j: j[: len(j) // 2], "corrupt_image", "truncated or corrupt"),
        (
            lambda j: _png_with_bad_crc(make_image("PNG", (200, 200), (1, 2, 3, 4))),
            "corrupt_image",
            "corrupt",
        ),
        (lambda j: png_bomb(), "decompression_bomb", "decompression bomb"),
        (lambda j: SVG, "disguised_markup", "SVG disguised as an image"),
        (lambda j: HTML, "disguised_markup", "HTML disguised as an image"),
        (lambda j: make_image("GIF", (10, 10)), "unsupported_format", "not a JPEG, PNG or WebP"),
        (lambda j: b"", "empty_file", "empty"),
    ],
)
def test_bad_images_are_refused_and_leave_nothing(blob_root, jpeg_bytes, make_data, code, message):
    upload = SimpleUploadedFile("cigar.jpg", make_data(jpeg_bytes), content_type="image/jpeg")
    with pytest.raises(ImageRefusedError, match=message) as caught:
        image_put_upload(upload)
    assert caught.value.code == code
    assert_nothing_stored(blob_root)


def test_pixel_limit_is_a_setting(settings, blob_root, jpeg_bytes):
    settings.MEDIA_MAX_IMAGE_PIXELS = 320 * 200 - 1
    with pytest.raises(ImageRefusedError) as caught:
        image_put_upload(io.BytesIO(jpeg_bytes))
    assert caught.value.code == "decompression_bomb"
    assert_nothing_stored(blob_root)


def test_a_file_over_the_cap_is_refused(settings, blob_root, webp_bytes):
    settings.MEDIA_MAX_IMAGE_BYTES = len(webp_bytes) - 1
    with pytest.raises(TooLargeRefusedError, match="over the limit"):
        image_put_upload(SimpleUploadedFile("big.webp", webp_bytes))
    # A stream that does not declare its size is cut while it is copied.
    with pytest.raises(TooLargeRefusedError):
        image_put_upload(io.BytesIO(webp_bytes))
    assert_nothing_stored(blob_root)


def test_a_local_path_goes_through_the_same_checks(tmp_path, blob_root):
    fake = tmp_path / "front.jpg"
    fake.write_bytes(SVG)
    with pytest.raises(ImageRefusedError):
        image_put_path(fake)
    assert fake.exists()  # the caller's file is left alone
    assert_nothing_stored(blob_root)


# --- from a URL (a real server on 127.0.0.1, allow-listed by settings_test) -------------


def test_download_stores_the_image_and_its_dimensions(http_server, blob_root, jpeg_bytes):
    http_server.route("/img/front", Reply(200, jpeg_bytes, {"Content-Type": "image/jpeg"}))
    blob, result = image_put_url(http_server.url("/img/front"))
    assert (blob.mime_type, blob.width, blob.height, blob.size) == (
        "image/jpeg",
        320,
        200,
        len(jpeg_bytes),
    )
    assert result.status == 200
    assert (blob_root / blob.storage_key).read_bytes() == jpeg_bytes
    assert (blob_root / thumbnail_key(blob.digest, 256)).exists()


def test_a_redirect_within_allowed_hosts_is_followed(http_server, png_bytes):
    http_server.route("/old.png", Reply(301, b"", {"Location": "/new.png"}))
    http_server.route("/new.png", Reply(200, png_bytes, {"Content-Type": "image/png"}))
    blob, result = image_put_url(http_server.url("/old.png"))
    assert result.url == http_server.url("/new.png")
    assert (blob.width, blob.height) == (64, 48)


def test_html_served_as_jpeg_is_refused(http_server, blob_root):
    http_server.route("/cigar.jpg", Reply(200, HTML, {"Content-Type": "image/jpeg"}))
    with pytest.raises(ImageRefusedError, match="HTML disguised"):
        image_put_url(http_server.url("/cigar.jpg"))
    assert_nothing_stored(blob_root)


def test_a_web_page_instead_of_an_image_is_refused_by_content_type(http_server, blob_root):
    http_server.route("/page", Reply(200, HTML, {"Content-Type": "text/html"}))
    with pytest.raises(ImageRefusedError) as caught:
        image_put_url(http_server.url("/page"))
    assert caught.value.code == "unsupported_content_type"
    assert_nothing_stored(blob_root)


def test_a_download_over_the_cap_is_refused(settings, http_server, blob_root, webp_bytes):
    settings.MEDIA_MAX_IMAGE_BYTES = len(webp_bytes) - 1
    http_server.route("/big.webp", Reply(200, webp_bytes, {"Content-Type": "image/webp"}))
    with pytest.raises(TooLargeRefusedError, match="limit"):
        image_put_url(http_server.url("/big.webp"))
    assert_nothing_stored(blob_root)


def test_an_upstream_error_is_a_clear_fetch_failure(http_server, blob_root):
    with pytest.raises(FetchFailedError, match="HTTP 404"):
        image_put_url(http_server.url("/nowhere.jpg"))
    assert_nothing_stored(blob_root)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/front.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:192.168.1.1]/x.png",
        "http://192.168.0.10:8080/x.png",
    ],
)
def test_private_addresses_are_refused_before_connecting(monkeypatch, blob_root, url):
    connected = []
    monkeypatch.setattr(socket.socket, "connect", lambda *a: connected.append(a))
    with pytest.raises(SourceRefusedError) as caught:
        image_put_url(url)
    assert caught.value.code == "blocked_address"
    assert connected == []
    assert_nothing_stored(blob_root)


def test_a_host_resolving_to_a_private_address_is_refused(monkeypatch, blob_root):
    real_getaddrinfo = socket.getaddrinfo

    def fake_getaddrinfo(host, *args, **kwargs):
        if host == "images.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 80))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(SourceRefusedError, match=r"resolves to 10\.1\.2\.3"):
        image_put_url("http://images.example.com/front.jpg")
    assert_nothing_stored(blob_root)


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/front.jpg"]
)
def test_a_redirect_to_a_private_address_is_refused(http_server, blob_root, target):
    http_server.route("/front.jpg", Reply(302, b"", {"Location": target}))
    with pytest.raises(SourceRefusedError, match="Refused to fetch"):
        image_put_url(http_server.url("/front.jpg"))
    assert http_server.hits("/front.jpg") == 1
    assert_nothing_stored(blob_root)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a.jpg", "/relative.jpg"])
def test_non_http_schemes_are_refused(blob_root, url):
    with pytest.raises(SourceRefusedError, match="Only http and https") as caught:
        image_put_url(url)
    assert caught.value.code == "unsupported_scheme"
    assert_nothing_stored(blob_root)


def test_refusals_are_validation_errors_with_a_message():
    error = ImageRefusedError("The file is empty.", code="empty_file")
    assert isinstance(error, MediaRefusedError)
    assert error.messages == ["The file is empty."]
    assert str(error) == "The file is empty."
