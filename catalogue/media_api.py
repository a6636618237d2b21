"""A cigar's pictures over the API: list (anyone), upload / add by URL / set primary /
delete (operators). Thin views over ``catalogue.media_assets``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.permissions import AnonymousReadOperatorWrite, IsOperator
from catalogue.media_assets import (
    media_asset_add_from_upload,
    media_asset_add_from_url,
    media_asset_delete,
    media_asset_get,
    media_asset_list,
    media_asset_set_primary,
    media_asset_update,
)
from catalogue.models import AssetType, Cigar, MediaAsset
from catalogue.serializers import MediaOutput
from media.api import MediaRefusalMixin
from media.services import THUMBNAIL_SIZES
from media.sniff import IMAGE_TYPES
from media.uploads import install_capped_upload_handler

# --- serializers ------------------------------------------------------------------------


# The asset with links to its bytes and thumbnails (the media endpoints).
class MediaAssetOutput(MediaOutput):
    url = serializers.SerializerMethodField(help_text="The original bytes.")
    thumbnails = serializers.SerializerMethodField(
        help_text='WebP thumbnail URLs by longest side, e.g. {"256": …, "1024": …}.'
    )

    class Meta(MediaOutput.Meta):
        fields = [*MediaOutput.Meta.fields, "url", "thumbnails", "created_at"]

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, asset: MediaAsset) -> str:
        return self._absolute(reverse("media-blob-download", args=[asset.blob.digest]))

    def get_thumbnails(self, asset: MediaAsset) -> dict[str, str]:
        if asset.blob.mime_type not in IMAGE_TYPES:
            return {}
        return {
            str(size): self._absolute(
                reverse("media-blob-thumbnail", args=[asset.blob.digest, size])
            )
            for size in THUMBNAIL_SIZES
        }


class MediaUploadInput(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG or WebP image.")
    asset_type = serializers.ChoiceField(choices=AssetType.choices, default=AssetType.FRONT)
    is_primary = serializers.BooleanField(default=False)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class MediaFromUrlInput(serializers.Serializer):
    url = serializers.URLField(max_length=2000, help_text="An http(s) URL of the image.")
    asset_type = serializers.ChoiceField(choices=AssetType.choices, default=AssetType.FRONT)
    is_primary = serializers.BooleanField(default=False)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class MediaUpdateInput(serializers.Serializer):
    asset_type = serializers.ChoiceField(choices=AssetType.choices, required=False)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


REFUSALS = {
    400: OpenApiResponse(description="Invalid input, or an image refused (corrupt, bomb…)."),
    401: OpenApiResponse(description="Not authenticated."),
    403: OpenApiResponse(description="Not an operator."),
    404: OpenApiResponse(description="Unknown cigar."),
    413: OpenApiResponse(description="Over the size cap."),
    415: OpenApiResponse(description="Not a JPEG, PNG or WebP image."),
}


# --- views ------------------------------------------------------------------------------


class _CigarMediaBase(MediaRefusalMixin, GenericAPIView):
    """A cigar's pictures."""

    serializer_class = MediaAssetOutput
    permission_classes = [AnonymousReadOperatorWrite]
    filter_backends: list = []  # nothing to filter: the cigar is in the path

    def get_cigar(self) -> Cigar:
        return get_object_or_404(Cigar, pk=self.kwargs["cigar_id"])

    def get_queryset(self):
        return media_asset_list(cigar=self.kwargs["cigar_id"])

    def get_asset(self) -> MediaAsset:
        try:
            return media_asset_get(cigar=self.kwargs["cigar_id"], asset_id=self.kwargs["asset_id"])
        except MediaAsset.DoesNotExist:
            raise NotFound("No such picture for this cigar.") from None

    def output(self, asset: MediaAsset, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(asset).data, status=status_code)


@extend_schema_view(
    get=extend_schema(
        operation_id="cigar_media_list",
        summary="A cigar's pictures, primary first, with thumbnail URLs",
        responses=MediaAssetOutput(many=True),
        tags=["media"],
    ),
    post=extend_schema(
        operation_id="cigar_media_upload",
        summary="Upload a picture (operators)",
        request={"multipart/form-data": MediaUploadInput},
        responses={201: MediaAssetOutput, **REFUSALS},
        tags=["media"],
    ),
)
class CigarMediaListApi(_CigarMediaBase):
    """List a cigar's pictures (anyone) or upload one (operators, multipart, ≤ the image cap)."""

    parser_classes = [MultiPartParser, FormParser]

    def initialize_request(self, request, *args, **kwargs):
        # Before authentication: the CSRF check may already parse the multipart body.
        install_capped_upload_handler(request)
        return super().initialize_request(request, *args, **kwargs)

    def get(self, request, cigar_id: int):
        self.get_cigar()
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def post(self, request, cigar_id: int):
        cigar = self.get_cigar()
        data = MediaUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        asset = media_asset_add_from_upload(
            cigar=cigar,
            upload=values["file"],
            asset_type=values["asset_type"],
            is_primary=values["is_primary"],
            position=values.get("position"),
        )
        return self.output(asset, status.HTTP_201_CREATED)


class CigarMediaFromUrlApi(_CigarMediaBase):
    """Download an image (http/https, public addresses only, ≤ the image cap) and add it."""

    permission_classes = [IsOperator]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        operation_id="cigar_media_add_from_url",
        summary="Download a picture from a URL and add it (operators)",
        request=MediaFromUrlInput,
        responses={
            201: MediaAssetOutput,
            **REFUSALS,
            502: OpenApiResponse(description="The remote server did not deliver the image."),
        },
        tags=["media"],
    )
    def post(self, request, cigar_id: int):
        cigar = self.get_cigar()
        data = MediaFromUrlInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        asset = media_asset_add_from_url(
            cigar=cigar,
            url=values["url"],
            asset_type=values["asset_type"],
            is_primary=values["is_primary"],
            position=values.get("position"),
        )
        return self.output(asset, status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(operation_id="cigar_media_detail", summary="One picture", tags=["media"]),
    patch=extend_schema(
        operation_id="cigar_media_update",
        summary="Change a picture's type or position (operators)",
        request=MediaUpdateInput,
        responses={200: MediaAssetOutput, **REFUSALS},
        tags=["media"],
    ),
    delete=extend_schema(
        operation_id="cigar_media_delete",
        summary="Remove a picture from the cigar (operators); a primary hands over",
        responses={204: None, **REFUSALS},
        tags=["media"],
    ),
)
class CigarMediaDetailApi(_CigarMediaBase):
    """One picture of a cigar: read (anyone), change or remove (operators)."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get(self, request, cigar_id: int, asset_id: int):
        return self.output(self.get_asset())

    def patch(self, request, cigar_id: int, asset_id: int):
        asset = self.get_asset()
        data = MediaUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        asset = media_asset_update(asset=asset, **data.validated_data)
        return self.output(asset)

    def delete(self, request, cigar_id: int, asset_id: int):
        media_asset_delete(asset=self.get_asset())
        return Response(status=status.HTTP_204_NO_CONTENT)


class CigarMediaPrimaryApi(_CigarMediaBase):
    """Make a picture primary; the previous primary is unset in the same transaction."""

    permission_classes = [IsOperator]

    @extend_schema(
        operation_id="cigar_media_set_primary",
        summary="Make this picture the cigar's primary one (operators)",
        request=None,
        responses={200: MediaAssetOutput, **REFUSALS},
        tags=["media"],
    )
    def post(self, request, cigar_id: int, asset_id: int):
        asset = media_asset_set_primary(asset=self.get_asset())
        return self.output(asset)
