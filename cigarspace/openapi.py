"""OpenAPI: the project's error responses, documented once for every operation.

Every error the API answers has one shape, produced by ``cigarspace.api.exception_handler``:
``{"error": {"code", "message", "details"}}``. Rather than repeating it in every
``@extend_schema``, this drf-spectacular postprocessing hook adds an ``Error`` component and
references it from the error responses each operation can actually produce, read from
the operation (body, query parameters, path parameters) and from its view (authentication,
permissions, throttles):

- 400: the operation takes a body, or query parameters that are validated (filters);
- 401: the view authenticates (a missing, invalid or expired credential is refused, even
  where none is needed);
- 403: an authenticated user without the operator role is refused;
- 404: the path names an object, or the list is paginated (a page or cursor out of range);
- 406: every view (content negotiation refuses an Accept header naming nothing it
  produces);
- 429: the view is throttled;
- any other error response a view documents itself (409, 412, 413, …) gets the body too.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

ERROR_COMPONENT = "Error"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The body of every error response (4xx and 5xx).",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Machine-readable: invalid, not_authenticated, "
                    "authentication_failed, permission_denied, not_found, throttled, …",
                },
                "message": {
                    "type": "string",
                    "description": "Readable; for a 400, the first problem (field: message).",
                },
                "details": {
                    "nullable": True,
                    "description": "For a 400, the field errors (field → list of messages); "
                    "a structured detail for some refusals; otherwise null.",
                },
            },
            "required": ["code", "message", "details"],
        }
    },
    "required": ["error"],
}

# Pagination parameters are not validated (a bad page_size falls back to the default); a
# page or cursor that does not exist is a 404.
PAGINATION_PARAMETERS = frozenset({"page", "page_size", "cursor"})
PAGE_PARAMETERS = frozenset({"page", "cursor"})
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})

DESCRIPTIONS = {
    400: "Invalid input: `details` maps each field to its messages.",
    401: "Not authenticated: credentials are missing, invalid or expired.",
    "401_optional": "Credentials were sent but are invalid or expired (none are needed here).",
    403: "Authenticated, but not allowed (reserved to operators).",
    404: "Not found: no such object, or a page or cursor out of range.",
    406: "The Accept header asks for a representation the API does not produce (JSON).",
    429: "Too many requests: retry after the number of seconds in Retry-After.",
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before retrying.",
    }
}


def postprocess_error_responses(result: dict, generator, request, public: bool) -> dict:
    """drf-spectacular POSTPROCESSING_HOOKS entry: add and reference the Error schema."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    views = _views(generator)
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in _error_statuses(
                path, method, operation, views.get((path, method))
            ).items():
                responses.setdefault(str(status), {"description": description})
            for status, response in responses.items():
                if status[:1] in ("4", "5"):
                    # A view's own description of the case (e.g. "If-Match names an older
                    # version.") is kept; only the body is added.
                    response.setdefault("content", {"application/json": {"schema": ERROR_REF}})
                    if status == "429":
                        response.setdefault("headers", RETRY_AFTER)
    return result


def _views(generator) -> dict[tuple[str, str], Any]:
    """(path as in the schema, lower-case method) → a view instance, as the generator made
    them (public methods of DRF's BaseSchemaGenerator)."""
    views = {}
    for path, _regex, method, callback in generator.endpoints or []:
        view = generator.create_view(callback, method)
        views[(generator.coerce_path(path, method, view), method.lower())] = view
    return views


def _error_statuses(path: str, method: str, operation: dict, view) -> dict[int, str]:
    statuses: dict[int, str] = {}
    query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    if "requestBody" in operation or query - PAGINATION_PARAMETERS:
        statuses[400] = DESCRIPTIONS[400]
    if view is not None and view.get_authenticators():
        anonymous_allowed = _allowed(view, method, AnonymousUser())
        statuses[401] = DESCRIPTIONS[401] if not anonymous_allowed else DESCRIPTIONS["401_optional"]
        if not _allowed(view, method, get_user_model()(is_active=True)):
            statuses[403] = DESCRIPTIONS[403]
    if "{" in path or query & PAGE_PARAMETERS:
        statuses[404] = DESCRIPTIONS[404]
    if view is not None:
        # Every view negotiates its content: an Accept header naming nothing it produces
        # is refused before the view runs.
        statuses[406] = DESCRIPTIONS[406]
    if view is not None and view.get_throttles():
        statuses[429] = DESCRIPTIONS[429]
    return statuses


def _allowed(view, method: str, user) -> bool:
    """Whether the view's permissions let ``user`` (with no API key) call ``method``.

    The permission classes read only the method, the user and the key scope; a class that
    needs more (and raises) is taken as refusing, which documents the error rather than
    hiding it.
    """
    probe = SimpleNamespace(method=method.upper(), user=user, auth=None)
    try:
        return all(p.has_permission(probe, view) for p in view.get_permissions())
    except Exception:
        return False
