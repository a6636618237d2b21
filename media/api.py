"""Blob and thumbnail downloads, and how media refusals become JSON errors.

Blobs are immutable (the URL names the content), so responses are cached for a year
and revalidated by ETag = digest. Images are public (they illustrate the public
catalogue); other blobs (raw publications) need an authenticated user.
"""

from __future__ import annotations

from django.http import FileResponse, HttpResponse, HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.permissions import is_authenticated
from accounts.throttles import AnonThrottle, UserThrottle
from media.exceptions import MediaRefusedError
from media.images import image_thumbnails_ensure
from media.models import MediaBlob
from media.selectors import blob_get_by_digest, blob_open, thumbnail_open
from media.services import THUMBNAIL_SIZES
from media.sniff import IMAGE_TYPES

CACHE_CONTROL = "public, max-age=31536000, immutable"
DIGEST_PATTERN = r"[0-9a-f]{64}"

# Refusal code → HTTP status; anything else is a plain 400.
REFUSAL_STATUS = {
    "too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "unsupported_format": status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    "disguised_markup": status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    "unsupported_content_type": status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    "fetch_failed": status.HTTP_502_BAD_GATEWAY,
    "too_many_redirects": status.HTTP_502_BAD_GATEWAY,
}


class MediaDownloadThrottle(AnonThrottle):
    """Anonymous downloads per client IP, on their own counter and at a higher rate than
    the API's: one catalogue page shows dozens of thumbnails. Configure it with a
    "media_download" entry in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]."""

    scope = "media_download"
    default_rate = "3000/minute"

    def get_rate(self) -> str:
        # Read at call time (not the class attribute frozen at import): settings may change.
        return str(api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or self.default_rate)


class MediaRefusedApiError(exceptions.APIException):
    """A media refusal with its own code and a status that says what went wrong."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    default_code = "refused"

    def __init__(self, refusal: MediaRefusedError) -> None:
        self.status_code = REFUSAL_STATUS.get(refusal.code or "", status.HTTP_400_BAD_REQUEST)
        super().__init__(detail=str(refusal), code=refusal.code or self.default_code)


class MediaRefusalMixin:
    """Views that take images answer media refusals with their precise code and status."""

    def handle_exception(self, exc: Exception):
        if isinstance(exc, MediaRefusedError):
            exc = MediaRefusedApiError(exc)
        return super().handle_exception(exc)  # type: ignore[misc]


class IgnoreAcceptHeader(BaseContentNegotiation):
    """Files are sent as they are; errors are always JSON, whatever Accept says (an <img>
    asks for image/*, which must not turn a 404 into a 406)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _not_modified(request, etag: str) -> bool:
    candidates = request.headers.get("If-None-Match", "")
    return any(tag.strip() in (etag, f"W/{etag}", "*") for tag in candidates.split(","))


def _file_response(request, *, etag: str, opener, content_type: str, size: int | None):
    if _not_modified(request, etag):
        response: HttpResponseBase = HttpResponse(status=status.HTTP_304_NOT_MODIFIED)
    else:
        response = FileResponse(opener(), content_type=content_type)
        if size is not None:
            response["Content-Length"] = str(size)
        if content_type not in (*IMAGE_TYPES, "image/webp"):
            # A stored HTML or SVG document must never render in our origin.
            response["Content-Disposition"] = "attachment"
            response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    return response


def _blob_or_404(request, digest: str) -> MediaBlob:
    blob = blob_get_by_digest(digest)
    if blob is None:
        raise exceptions.NotFound(f"No blob with digest {digest}.")
    if blob.mime_type not in IMAGE_TYPES and not is_authenticated(request):
        raise exceptions.NotAuthenticated("Documents other than images need an account.")
    return blob


DIGEST_PARAMETER = OpenApiParameter(
    "digest",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="BLAKE3 hex digest of the bytes (64 lowercase hex characters).",
    pattern=f"^{DIGEST_PATTERN}$",
)
FILE_RESPONSES = {
    (200, "application/octet-stream"): OpenApiResponse(
        OpenApiTypes.BINARY, description="The bytes, with ETag and immutable caching."
    ),
    304: OpenApiResponse(description="Not modified (If-None-Match matched the ETag)."),
    401: OpenApiResponse(description="A non-image blob and no authenticated user."),
    404: OpenApiResponse(description="Unknown digest."),
}


class BlobDownloadApi(APIView):
    """The bytes of a blob; ETag is the digest, cached for a year (the content never changes)."""

    permission_classes = [AllowAny]
    throttle_classes = [MediaDownloadThrottle, UserThrottle]
    content_negotiation_class = IgnoreAcceptHeader

    @extend_schema(
        operation_id="media_blob_download",
        summary="Download a blob by its digest",
        parameters=[DIGEST_PARAMETER],
        responses=FILE_RESPONSES,
        tags=["media"],
    )
    def get(self, request, digest: str):
        blob = _blob_or_404(request, digest)
        return _file_response(
            request,
            etag=f'"{blob.digest}"',
            opener=lambda: blob_open(blob),
            content_type=blob.mime_type,
            size=blob.size,
        )


class BlobThumbnailApi(APIView):
    """A WebP thumbnail of an image blob, rendered once on first request."""

    permission_classes = [AllowAny]
    throttle_classes = [MediaDownloadThrottle, UserThrottle]
    content_negotiation_class = IgnoreAcceptHeader

    @extend_schema(
        operation_id="media_blob_thumbnail",
        summary="Download a WebP thumbnail of an image blob",
        parameters=[
            DIGEST_PARAMETER,
            OpenApiParameter(
                "size",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                enum=list(THUMBNAIL_SIZES),
                description="Longest side in pixels.",
            ),
        ],
        responses=FILE_RESPONSES,
        tags=["media"],
    )
    def get(self, request, digest: str, size: str):
        side = int(size)  # the route only lets digits through
        if side not in THUMBNAIL_SIZES:
            raise exceptions.NotFound(f"Thumbnails exist in sizes {list(THUMBNAIL_SIZES)} only.")
        blob = _blob_or_404(request, digest)
        if blob.mime_type not in IMAGE_TYPES:
            raise exceptions.NotFound("This blob is not an image and has no thumbnails.")
        etag = f'"{blob.digest}-{side}"'
        if not _not_modified(request, etag):
            # Rendered on first request for blobs stored before thumbnails existed.
            image_thumbnails_ensure(blob=blob)
        return _file_response(
            request,
            etag=etag,
            opener=lambda: thumbnail_open(digest=blob.digest, size=side),
            content_type="image/webp",
            size=None,
        )
