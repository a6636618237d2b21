"""The blob download routes (media/api.py) and a cigar's media routes (catalogue/media_api.py)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from catalogue.models import MediaAsset
from media.models import MediaBlob
from media.services import blob_put_bytes
from tests import factories as f
from tests.media.conftest import make_image, stored_files
from tests.support.http_server import Reply

pytestmark = pytest.mark.django_db

CACHE = "public, max-age=31536000, immutable"


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def operator() -> APIClient:
    client = APIClient()
    client.force_authenticate(user=f.OperatorFactory())
    return client


@pytest.fixture
def member() -> APIClient:
    client = APIClient()
    client.force_authenticate(user=f.UserFactory())
    return client


def media_url(cigar, *rest) -> str:
    return "/".join([f"/api/v1/cigars/{cigar.pk}/media", *map(str, rest), ""])


def upload(client, cigar, data: bytes, **fields):
    file = SimpleUploadedFile("picture.jpg", data, content_type="image/jpeg")
    return client.post(media_url(cigar), {"file": file, **fields}, format="multipart")


# --- blob downloads ---------------------------------------------------------------------


def test_blob_download_has_etag_and_immutable_caching(anonymous, jpeg_bytes):
    blob = blob_put_bytes(jpeg_bytes, mime_type="image/jpeg", width=320, height=200)
    response = anonymous.get(f"/api/v1/media/blobs/{blob.digest}", HTTP_ACCEPT="image/webp")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == jpeg_bytes
    assert response["ETag"] == f'"{blob.digest}"'
    assert response["Cache-Control"] == CACHE
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Length"] == str(len(jpeg_bytes))


def test_blob_download_answers_304_on_a_matching_if_none_match(anonymous, jpeg_bytes):
    blob = blob_put_bytes(jpeg_bytes, mime_type="image/jpeg")
    url = f"/api/v1/media/blobs/{blob.digest}"
    response = anonymous.get(url, HTTP_IF_NONE_MATCH=f'"{blob.digest}"')
    assert response.status_code == 304
    assert response["ETag"] == f'"{blob.digest}"'
    assert anonymous.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_unknown_blob_is_a_json_404_even_for_an_image_request(anonymous):
    response = anonymous.get(f"/api/v1/media/blobs/{'0' * 64}", HTTP_ACCEPT="image/png")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_documents_need_an_account_and_are_never_rendered_inline(anonymous, member):
    blob = blob_put_bytes(b"<html><script>alert(1)</script></html>")
    url = f"/api/v1/media/blobs/{blob.digest}"
    assert anonymous.get(url).status_code == 401
    response = member.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment"
    assert "sandbox" in response["Content-Security-Policy"]


def test_thumbnail_route_renders_webp_once_with_its_own_etag(anonymous, blob_root, webp_bytes):
    blob = blob_put_bytes(webp_bytes, mime_type="image/webp", width=1600, height=1200)
    url = f"/api/v1/media/blobs/{blob.digest}/thumbnails/256"
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["ETag"] == f'"{blob.digest}-256"'
    assert response["Cache-Control"] == CACHE
    assert b"".join(response.streaming_content)[8:12] == b"WEBP"
    assert anonymous.get(url, HTTP_IF_NONE_MATCH=f'"{blob.digest}-256"').status_code == 304
    assert anonymous.get(f"/api/v1/media/blobs/{blob.digest}/thumbnails/300").status_code == 404


def test_a_document_has_no_thumbnail(member):
    blob = blob_put_bytes(b"%PDF-1.7")
    response = member.get(f"/api/v1/media/blobs/{blob.digest}/thumbnails/256")
    assert response.status_code == 404


# --- a cigar's media ----------------------------------------------------------------------


def test_anyone_lists_a_cigars_media_with_thumbnail_urls(anonymous, jpeg_bytes):
    asset = f.MediaAssetFactory(
        blob=blob_put_bytes(jpeg_bytes, mime_type="image/jpeg", width=320, height=200),
        is_primary=True,
    )
    response = anonymous.get(media_url(asset.cigar))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    digest = asset.blob.digest
    assert (item["id"], item["is_primary"], item["width"], item["height"]) == (
        asset.pk,
        True,
        320,
        200,
    )
    assert item["url"] == f"http://testserver/api/v1/media/blobs/{digest}"
    assert item["thumbnails"] == {
        "256": f"http://testserver/api/v1/media/blobs/{digest}/thumbnails/256",
        "1024": f"http://testserver/api/v1/media/blobs/{digest}/thumbnails/1024",
    }
    assert anonymous.get(item["thumbnails"]["256"]).status_code == 200


def test_media_of_an_unknown_cigar_is_404(anonymous):
    assert anonymous.get("/api/v1/cigars/999999/media/").status_code == 404


def test_operator_uploads_a_picture(operator, blob_root):
    cigar = f.CigarFactory()
    response = upload(operator, cigar, make_image("PNG", (40, 30)), asset_type="band")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["asset_type"], body["is_primary"], body["mime_type"]) == (
        "band",
        True,
        "image/png",
    )
    assert MediaAsset.objects.get(cigar=cigar).blob.width == 40


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"<svg onload=alert(1)></svg>", 415, "disguised_markup"),
        (b"\xff\xd8\xff\xe0 truncated", 400, "corrupt_image"),
    ],
)
def test_refused_uploads_are_clear_json_errors(operator, blob_root, data, status, code):
    response = upload(operator, f.CigarFactory(), data)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert MediaBlob.objects.count() == 0
    assert stored_files(blob_root) == []


def test_an_upload_over_the_cap_is_413(operator, settings, blob_root, webp_bytes):
    settings.MEDIA_MAX_IMAGE_BYTES = 2048
    response = upload(operator, f.CigarFactory(), webp_bytes)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert MediaBlob.objects.count() == 0


def test_an_upload_without_a_file_is_a_400(operator):
    response = operator.post(media_url(f.CigarFactory()), {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("file:")


def test_only_operators_write(anonymous, member, jpeg_bytes):
    cigar = f.CigarFactory()
    assert upload(anonymous, cigar, jpeg_bytes).status_code == 401
    assert upload(member, cigar, jpeg_bytes).status_code == 403
    response = member.post(media_url(cigar, "from-url"), {"url": "http://127.0.0.1/x.jpg"})
    assert response.status_code == 403
    assert MediaAsset.objects.count() == 0


def test_operator_adds_by_url(operator, http_server, jpeg_bytes):
    cigar = f.CigarFactory()
    http_server.route("/foot.jpg", Reply(200, jpeg_bytes, {"Content-Type": "image/jpeg"}))
    url = http_server.url("/foot.jpg")
    response = operator.post(
        media_url(cigar, "from-url"), {"url": url, "asset_type": "foot"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["original_url"], response.json()["width"]) == (url, 320)


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("http://169.254.169.254/latest/meta-data/", 400, "blocked_address"),
        ("http://10.0.0.1/front.jpg", 400, "blocked_address"),
    ],
)
def test_add_by_url_refusals_are_json(operator, url, status, code):
    response = operator.post(media_url(f.CigarFactory(), "from-url"), {"url": url}, format="json")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert MediaAsset.objects.count() == 0


def test_add_by_url_upstream_failure_is_502(operator, http_server):
    url = http_server.url("/gone.jpg")
    response = operator.post(media_url(f.CigarFactory(), "from-url"), {"url": url}, format="json")
    assert response.status_code == 502
    assert "HTTP 404" in response.json()["error"]["message"]


def test_file_urls_are_refused_by_the_api(operator):
    response = operator.post(
        media_url(f.CigarFactory(), "from-url"), {"url": "file:///etc/passwd"}, format="json"
    )
    assert response.status_code == 400
    assert MediaAsset.objects.count() == 0


def test_set_primary_update_and_delete(operator, anonymous):
    cigar = f.CigarFactory()
    first = f.MediaAssetFactory(cigar=cigar, is_primary=True, position=0)
    second = f.MediaAssetFactory(cigar=cigar, position=1)

    response = operator.post(media_url(cigar, second.pk, "primary"))
    assert response.status_code == 200
    assert response.json()["is_primary"] is True
    first.refresh_from_db()
    assert first.is_primary is False

    response = operator.patch(media_url(cigar, first.pk), {"asset_type": "box"}, format="json")
    assert (response.status_code, response.json()["asset_type"]) == (200, "box")

    assert anonymous.delete(media_url(cigar, second.pk)).status_code == 401
    assert operator.delete(media_url(cigar, second.pk)).status_code == 204
    first.refresh_from_db()
    assert first.is_primary is True  # the primary handed over
    assert anonymous.get(media_url(cigar, second.pk)).status_code == 404


def test_an_asset_of_another_cigar_is_not_found(operator):
    asset = f.MediaAssetFactory()
    other = f.CigarFactory()
    assert operator.post(media_url(other, asset.pk, "primary")).status_code == 404
    assert operator.delete(media_url(other, asset.pk)).status_code == 404


def test_thumbnail_decodes_as_an_image(anonymous, png_bytes, tmp_path):
    blob = blob_put_bytes(png_bytes, mime_type="image/png", width=64, height=48)
    response = anonymous.get(f"/api/v1/media/blobs/{blob.digest}/thumbnails/1024")
    path = tmp_path / "thumb.webp"
    path.write_bytes(b"".join(response.streaming_content))
    with Image.open(path) as image:
        assert image.size == (64, 48)


def test_anonymous_downloads_have_their_own_throttle(anonymous, settings, jpeg_bytes):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "media_download": "2/minute"},
    }
    blob = blob_put_bytes(jpeg_bytes, mime_type="image/jpeg")
    url = f"/api/v1/media/blobs/{blob.digest}"
    statuses = [anonymous.get(url).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert anonymous.get(media_url(f.CigarFactory())).status_code == 200  # API counter apart


@pytest.mark.parametrize("extra_bytes", [200 * 1024, 3 * 1024 * 1024])
def test_an_oversized_upload_is_cut_while_it_arrives(operator, settings, blob_root, extra_bytes):
    """Over the cap by a little (counted per chunk) or by a lot (refused on Content-Length):
    either way a 413 before the image checks, and nothing stored."""
    settings.MEDIA_MAX_IMAGE_BYTES = 64 * 1024
    data = make_image("JPEG", (32, 32)) + b"\0" * (64 * 1024 + extra_bytes)
    response = upload(operator, f.CigarFactory(), data)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert "limit of 65536 bytes" in response.json()["error"]["message"]
    assert MediaBlob.objects.count() == 0
    assert stored_files(blob_root) == []
