"""Request id: taken from ``X-Request-ID`` (a proxy's, if sane) or made here, echoed back,
and attached to every log line of the request (``cigarspace.observability``)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from http import HTTPStatus

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware

from cigarspace.api import error_body, error_code_for_status, is_json_path
from cigarspace.observability import request_id_var

logger = logging.getLogger("cigarspace.request")
# Django logs its own DisallowedHost refusals here: operators filter on it.
security_logger = logging.getLogger("django.security.DisallowedHost")

HEADER = "X-Request-ID"
# A client chooses its id only within these bounds: anything else (too long, control
# characters, JSON fragments) could forge or break log lines, so a fresh id replaces it.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")


def request_id_from(header_value: str | None) -> str:
    if header_value and _ACCEPTABLE.match(header_value):
        return header_value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets ``request.request_id``, the logging context, and the response header; logs one
    access line per request (method, path, status, duration) with that id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class ApiCsrfViewMiddleware(CsrfViewMiddleware):
    """Django's CSRF middleware, except under ``/api/``.

    Every API view is a DRF view, which is CSRF-exempt at this level and enforces CSRF
    itself for cookie sessions (``SessionAuthentication``); token and API-key clients
    have no cookie to protect. The one non-DRF view there is the JSON 404 for unknown
    routes, which has no state to protect — yet without this it answered a ``POST`` to an
    unknown API URL with Django's HTML "CSRF cookie not set" page instead of JSON.
    """

    def process_view(self, request, callback, callback_args, callback_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, callback, callback_args, callback_kwargs)


class JsonErrorsMiddleware:
    """On API paths (``cigarspace.api.JSON_PATH_PREFIXES``) every error is JSON in the
    API's shape, including those Django answers before or around the views.

    - A disallowed ``Host`` is refused here, in JSON, before ``CommonMiddleware`` asks
      for the host and Django answers its HTML 400.
    - Any other error response that is not JSON by then (Django's technical 400/500
      pages with ``DEBUG`` on, a page of a middleware further in) is replaced by the JSON
      error of its status: a client of the API never has to parse HTML, and a 169 KB
      debug page never leaves the server. Errors raised in DRF views are already JSON
      (``cigarspace.api.exception_handler``) and pass unchanged.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_json_path(request.path):
            return self.get_response(request)
        try:
            request.get_host()
        except DisallowedHost:
            host = request.META.get("HTTP_HOST", "")[:100]
            security_logger.warning("Invalid HTTP_HOST header: %r", host)
            return JsonResponse(
                error_body(
                    "disallowed_host",
                    f"The Host header {host!r} is not served here (ALLOWED_HOSTS).",
                ),
                status=HTTPStatus.BAD_REQUEST,
            )
        response = self.get_response(request)
        if response.status_code < 400 or _is_json(response):
            return response
        try:
            status = HTTPStatus(response.status_code)
        except ValueError:  # a status outside the standard list: name its class instead
            status = HTTPStatus.BAD_REQUEST if response.status_code < 500 else HTTPStatus(500)
        logger.warning(
            "non-JSON %s answer on an API path replaced by JSON",
            response.status_code,
            extra={"path": request.path, "status": response.status_code},
        )
        replacement = JsonResponse(
            error_body(error_code_for_status(status), f"{status.phrase}."),
            status=response.status_code,
        )
        for header in ("Retry-After", "Allow", "WWW-Authenticate"):
            if header in response:
                replacement[header] = response[header]
        return replacement


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"
