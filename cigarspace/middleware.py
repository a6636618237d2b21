"""Request id: taken from ``X-Request-ID`` (a proxy's, if sane) or made here, echoed back,
and attached to every log line of the request (``cigarspace.observability``)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

from cigarspace.observability import request_id_var

logger = logging.getLogger("cigarspace.request")

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
