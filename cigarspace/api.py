"""API conventions defined once: every error is JSON with a clear message."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


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

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

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
    response.data = {"error": {"code": str(code), "message": message, "details": details}}
    return response


def _first_code(data: Any) -> str | None:
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


def json_not_found(request, exception=None) -> JsonResponse:
    """404 for URLs outside any view: JSON under /api/, Django's page elsewhere."""
    return JsonResponse(
        {
            "error": {
                "code": "not_found",
                "message": f"No route for {request.path}.",
                "details": None,
            }
        },
        status=status.HTTP_404_NOT_FOUND,
    )


def json_server_error(request) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": "server_error", "message": "Internal server error.", "details": None}},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
