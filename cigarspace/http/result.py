"""What a fetch returns: ``FetchResult`` (callers record provenance from it)."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from cigarspace.http.errors import HttpError


@dataclass
class FetchResult:
    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes | None
    path: Path | None
    size: int
    digest: str
    etag: str | None
    last_modified: str | None
    not_modified: bool
    attempts: int
    elapsed: float
    fetched_at: datetime
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()

    @property
    def text(self) -> str:
        if self.content is None:
            raise ValueError("The body was written to a file; read it from result.path.")
        encoding = requests.utils.get_encoding_from_headers(dict(self.headers)) or "utf-8"
        return self.content.decode(encoding, errors="replace")

    def json(self) -> Any:
        try:
            return jsonlib.loads(self.text)
        except ValueError as exc:
            raise HttpError(
                f"{self.url} did not answer JSON ({self.content_type or 'no content type'}): {exc}",
                url=self.url,
                status=self.status,
            ) from None
