"""API conventions defined once: every error is JSON with a clear message; one paginator
(pages or keyset cursors), one page-size parameter, one way to validate a query string."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

# Paths whose every answer, errors included, is JSON in the shape below.
JSON_PATH_PREFIXES = ("/api/", "/health")


def is_json_path(path: str) -> bool:
    return path.startswith(JSON_PATH_PREFIXES)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The one error shape of the API: ``{"error": {"code", "message", "details"}}``."""
    return {"error": {"code": code, "message": message, "details": details}}


def error_code_for_status(http_status: HTTPStatus) -> str:
    """The error code of an answer known only by its status (``server_error`` for a 500,
    as ``json_server_error`` says; otherwise the status phrase, e.g. ``method_not_allowed``)."""
    if http_status == HTTPStatus.INTERNAL_SERVER_ERROR:
        return "server_error"
    return http_status.phrase.lower().replace(" ", "_").replace("-", "_")


def api_exception_for_suspicious(exc: SuspiciousOperation) -> exceptions.APIException:
    """Django's refusals of a request's body (too large, too many fields or files), and
    any other suspicious input, as the API's 413 / 400 with a message that says why."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge(
            f"The request body is larger than the {limit:,} bytes accepted (files excepted)."
        )
    if isinstance(exc, TooManyFieldsSent):
        return exceptions.ParseError(
            f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields.",
            code="too_many_fields",
        )
    if isinstance(exc, TooManyFilesSent):
        return exceptions.ParseError(
            f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} files.",
            code="too_many_files",
        )
    return exceptions.ParseError("The request was refused as malformed.", code="bad_request")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, reshaped to ``{"error": {"code", "message", "details"}}``.

    Django's own ``ValidationError`` (raised by services and model constraints) becomes a
    400 like a serializer error instead of a 500.
    """
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, SuspiciousOperation):
        # Raised while DRF reads the body (request.data): without this, Django's HTML 400.
        exc = api_exception_for_suspicious(exc)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    # What DRF turned into a response is one of its APIExceptions (Django's were converted
    # above).
    exc = cast(exceptions.APIException, exc)
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        message = _first_message(response.data) or "The request is invalid."
        details = response.data
    elif isinstance(exc.detail, dict | list):
        # Some libraries (simplejwt) raise with a structured detail: keep it, and still
        # give a readable message.
        code = _first_code(exc.detail) or exc.default_code
        message = _first_message(exc.detail) or str(exc.default_detail)
        details = exc.detail
    else:
        code = getattr(exc.detail, "code", None) or exc.default_code
        message = str(exc.detail)
        details = None
    response.data = error_body(str(code), message, details)
    return response


def _first_code(data: Any) -> str | None:
    values: Iterable[Any]
    if isinstance(data, dict):
        code = data.get("code")
        if code:
            return str(code)
        values = data.values()
    elif isinstance(data, list):
        values = data
    else:
        return getattr(data, "code", None)
    for value in values:
        found = _first_code(value)
        if found:
            return found
    return None


def _first_message(data: Any) -> str | None:
    if isinstance(data, str):
        return data
    if isinstance(data, list):
        for item in data:
            found = _first_message(item)
            if found:
                return found
    if isinstance(data, dict):
        for key, value in data.items():
            found = _first_message(value)
            if found:
                return found if key in ("non_field_errors", "detail") else f"{key}: {found}"
    return None


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """404 for URLs outside any view: JSON under /api/, Django's page elsewhere."""
    return JsonResponse(
        error_body("not_found", f"No route for {request.path}."),
        status=status.HTTP_404_NOT_FOUND,
    )


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("server_error", "Internal server error."),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


# --- pagination and query strings ------------------------------------------------------------

DEFAULT_PAGE_SIZE = 50
PAGE_SIZE_QUERY_PARAM = "page_size"
# The largest page a caller may ask for. A view whose callers need more sets its own
# ``max_page_size`` and says why next to it (the paginator reads it from the view).
MAX_PAGE_SIZE = 200


class _ViewMaximum:
    """The paginator takes its maximum from the view (``max_page_size``), else the kernel's."""

    max_page_size: int | None = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.max_page_size = view_max_page_size(view)
        return super().paginate_queryset(queryset, request, view)  # type: ignore[misc]


def view_max_page_size(view: object) -> int:
    return getattr(view, "max_page_size", None) or MAX_PAGE_SIZE


class PagePagination(_ViewMaximum, PageNumberPagination):
    """Numbered pages: ``?page=N&page_size=M``."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = PAGE_SIZE_QUERY_PARAM


class KeysetPagination(_ViewMaximum, CursorPagination):
    """Keyset pages (``?cursor=…&page_size=M``): page 2,000 of 100,000 rows costs what page
    1 costs. The view's ``ordering`` must end with a unique column."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = PAGE_SIZE_QUERY_PARAM

    def get_ordering(self, request, queryset, view):
        return getattr(view, "ordering", None) or super().get_ordering(request, queryset, view)


def page_size_parameter(maximum: int = MAX_PAGE_SIZE) -> OpenApiParameter:
    """The OpenAPI description of ``page_size`` (pass the view's maximum when it differs)."""
    return OpenApiParameter(
        PAGE_SIZE_QUERY_PARAM, OpenApiTypes.INT, description=f"Items per page (max {maximum})."
    )


def validated_query(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    """The query string checked by a serializer (a 400 naming the fields when invalid)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
