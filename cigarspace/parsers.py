"""The API's JSON parser: DRF's, plus the two inputs ``json.loads`` lets through that
later crash a request instead of answering 400.

- **Depth.** ``[[[[…]]]]`` a thousand levels deep is 2 KB of valid JSON. The C decoder
  either hits the interpreter's recursion limit (a ``RecursionError``, which DRF does not
  catch) or returns a structure that the first recursive consumer (a serializer, the
  renderer, a log formatter) cannot walk. No request of this API nests beyond a handful of
  levels, so anything deeper than ``MAX_JSON_DEPTH`` is refused.
- **Lone surrogates.** ``"\\ud800"`` is valid JSON syntax but not Unicode: Python keeps it
  in a ``str`` that every ``encode("utf-8")`` (a hash, a database parameter, a log line)
  then fails on. JSON is the only way such a string gets in (Django decodes query strings
  and form bodies with replacement), so it is refused here, once, for every endpoint.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_problem(data: Any, *, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why a decoded JSON document is refused, or None. Iterative: it must not recurse on
    the very input it guards against."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return "The JSON body holds a lone surrogate (\\ud800-\\udfff): not valid Unicode."
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > max_depth:
            return f"The JSON body is nested deeper than {max_depth} levels."
        if isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        else:
            stack.extend((item, depth + 1) for item in value)
    return None


class SafeJSONParser(JSONParser):
    """``DEFAULT_PARSER_CLASSES``' JSON parser (settings.REST_FRAMEWORK)."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
            data = json.loads(text, parse_constant=self._refuse_constant)
        except RecursionError:
            raise ParseError(
                f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels."
            ) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        problem = json_problem(data)
        if problem is not None:
            raise ParseError(problem)
        return data

    @staticmethod
    def _refuse_constant(name: str) -> Any:
        # NaN and Infinity are not JSON (DRF's own parser refuses them in strict mode too).
        raise ValueError(f"{name} is not a JSON value")
