"""The blob admin (read-only, with previews) and the media inline of the cigar page."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from catalogue.admin import MediaAssetInline
from catalogue.models import Cigar, MediaAsset
from media.models import MediaBlob
from media.services import blob_put_bytes
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def image_blob(jpeg_bytes):
    return blob_put_bytes(jpeg_bytes, mime_type="image/jpeg", width=320, height=200)


def test_blob_changelist_and_page_show_previews(admin_client_logged_in, image_blob):
    document = blob_put_bytes(b"%PDF-1.7 publication")
    response = admin_client_logged_in.get(reverse("admin:media_mediablob_changelist"))
    thumbnail = reverse("media-blob-thumbnail", args=[image_blob.digest, 256])
    assert response.status_code == 200
    assert thumbnail.encode() in response.content
    response = admin_client_logged_in.get(
        reverse("admin:media_mediablob_change", args=[image_blob.pk])
    )
    assert thumbnail.encode() in response.content
    response = admin_client_logged_in.get(
        reverse("admin:media_mediablob_change", args=[document.pk])
    )
    assert b"Download (application/pdf)" in response.content


def test_blob_admin_is_read_only(admin_client_logged_in, image_blob):
    url = reverse("admin:media_mediablob_delete", args=[image_blob.pk])
    assert admin_client_logged_in.post(url, {"post": "yes"}).status_code == 403
    assert MediaBlob.objects.filter(pk=image_blob.pk).exists()


def test_cigar_page_shows_its_pictures(admin_client_logged_in, image_blob):
    asset = f.MediaAssetFactory(blob=image_blob, is_primary=True)
    response = admin_client_logged_in.get(
        reverse("admin:catalogue_cigar_change", args=[asset.cigar.pk])
    )
    assert response.status_code == 200
    assert reverse("media-blob-thumbnail", args=[image_blob.digest, 256]).encode() in (
        response.content
    )


def _bound_formset(rf, superuser, cigar, rows):
    inline = MediaAssetInline(Cigar, admin.site)
    request = rf.post("/")
    request.user = superuser
    formset_class = inline.get_formset(request, cigar)
    prefix = formset_class.get_default_prefix()
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(rows)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, (asset, is_primary) in enumerate(rows):
        data.update(
            {
                f"{prefix}-{index}-id": str(asset.pk),
                f"{prefix}-{index}-cigar": str(cigar.pk),
                f"{prefix}-{index}-asset_type": asset.asset_type,
                f"{prefix}-{index}-position": str(asset.position),
                f"{prefix}-{index}-original_url": "",
                f"{prefix}-{index}-blob": str(asset.blob_id),
            }
        )
        if is_primary:
            data[f"{prefix}-{index}-is_primary"] = "on"
    return formset_class(data, instance=cigar, prefix=prefix)


def test_inline_moves_the_primary_flag_in_one_save(rf, superuser):
    cigar = f.CigarFactory()
    a = f.MediaAssetFactory(cigar=cigar, is_primary=True, position=0)
    b = f.MediaAssetFactory(cigar=cigar, position=1)
    formset = _bound_formset(rf, superuser, cigar, [(a, False), (b, True)])
    assert formset.is_valid(), formset.errors
    formset.save()
    assert list(MediaAsset.objects.filter(cigar=cigar, is_primary=True)) == [b]


def test_inline_refuses_two_primaries(rf, superuser):
    cigar = f.CigarFactory()
    a = f.MediaAssetFactory(cigar=cigar, is_primary=True, position=0)
    b = f.MediaAssetFactory(cigar=cigar, position=1)
    formset = _bound_formset(rf, superuser, cigar, [(a, True), (b, True)])
    assert not formset.is_valid()
    assert "tick only one" in str(formset.non_form_errors())
