"""``HttpClient``: retries, redirects, conditional GET, resumable streamed downloads."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import blake3
import requests
from django.conf import settings

from cigarspace.http.body import body_read
from cigarspace.http.errors import (
    BlockedAddressError,
    DisallowedContentTypeError,
    HttpError,
    RetryableError,
    TooManyRedirectsError,
)
from cigarspace.http.guard import GuardedAdapter, check_url_allowed
from cigarspace.http.result import FetchResult

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({403, 408, 425, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_AFTER_MAX_SECONDS = 120.0

__all__ = ["BlockedAddressError", "FetchResult", "HttpClient"]


class HttpClient:
    def __init__(
        self,
        *,
        user_agent: str | None = None,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        max_bytes: int | None = None,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        max_redirects: int = 5,
        guard_private: bool = True,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.user_agent = user_agent or settings.HTTP_USER_AGENT
        self.timeout = (
            connect_timeout if connect_timeout is not None else settings.HTTP_CONNECT_TIMEOUT,
            read_timeout if read_timeout is not None else settings.HTTP_READ_TIMEOUT,
        )
        self.max_bytes = max_bytes if max_bytes is not None else settings.HTTP_MAX_DOWNLOAD_BYTES
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_redirects = max_redirects
        self.guard_private = guard_private
        self.sleep = sleep
        self.session = session or requests.Session()
        if guard_private:
            adapter = GuardedAdapter()
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)
            # A proxy from the environment would be the connected peer: guarded fetches go
            # direct so that the address check means something.
            self.session.trust_env = False

    # -- public API ----------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        dest: Path | None = None,
        resume: bool = False,
        accept_types: Iterable[str] | None = None,
    ) -> FetchResult:
        """GET ``url``; the body is returned in memory, or streamed to ``dest``.

        With ``resume`` an existing partial ``dest`` is continued with a Range request,
        and a connection dropped mid-body is resumed on the next attempt.
        """
        request_headers = dict(headers or {})
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        return self._fetch(
            "GET",
            url,
            headers=request_headers,
            max_bytes=max_bytes,
            dest=dest,
            resume=resume,
            accept_types=tuple(accept_types) if accept_types else None,
        )

    def post(
        self,
        url: str,
        *,
        data: Any = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
        accept_types: Iterable[str] | None = None,
    ) -> FetchResult:
        """POST (for idempotent requests such as searches and token grants: it is retried)."""
        return self._fetch(
            "POST",
            url,
            headers=dict(headers or {}),
            max_bytes=max_bytes,
            data=data,
            json_body=json,
            accept_types=tuple(accept_types) if accept_types else None,
        )

    # -- the loop: attempts around hops around one streamed response ---------------------

    def _fetch(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        max_bytes: int | None,
        dest: Path | None = None,
        resume: bool = False,
        data: Any = None,
        json_body: Any = None,
        accept_types: tuple[str, ...] | None = None,
    ) -> FetchResult:
        # A caller may lower the cap, never lift the deployment's HTTP_MAX_DOWNLOAD_BYTES.
        cap = min(
            limit
            for limit in (max_bytes, self.max_bytes, settings.HTTP_MAX_DOWNLOAD_BYTES)
            if limit is not None
        )
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                result = self._attempt(
                    method,
                    url,
                    headers=headers,
                    cap=cap,
                    dest=dest,
                    resume=resume,
                    data=data,
                    json_body=json_body,
                    accept_types=accept_types,
                )
            except RetryableError as exc:
                if attempt > self.max_retries:
                    raise HttpError(
                        f"Fetching {url} failed after {attempt} attempts: {exc}",
                        url=url,
                        status=exc.status,
                        attempts=attempt,
                    ) from None
                delay = self._delay(attempt, exc.retry_after)
                logger.warning(
                    "fetch %s attempt %s failed (%s); retrying in %.2fs", url, attempt, exc, delay
                )
                self.sleep(delay)
                # After a dropped body, continue the partial file rather than start over.
                resume = resume or dest is not None
                continue
            except HttpError as exc:
                exc.attempts = attempt
                raise
            result.attempts = attempt
            result.elapsed = time.monotonic() - started
            logger.info(
                "fetched %s %s: %s, %s bytes, blake3 %s, %s attempt(s)",
                method,
                result.url,
                result.status,
                result.size,
                result.digest[:12],
                attempt,
            )
            return result

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, RETRY_AFTER_MAX_SECONDS)
        exponential = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        # Full jitter around the exponential step keeps many clients from retrying in step.
        return exponential * random.uniform(0.5, 1.5)  # noqa: S311 (not cryptographic)

    def _attempt(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        cap: int,
        dest: Path | None,
        resume: bool,
        data: Any,
        json_body: Any,
        accept_types: tuple[str, ...] | None,
    ) -> FetchResult:
        hops: list[str] = []
        current_url, current_method = url, method
        while True:
            check_url_allowed(current_url, guard_private=self.guard_private)
            request_headers = {"User-Agent": self.user_agent, **headers}
            offset = 0
            if dest is not None and resume and current_method == "GET" and dest.exists():
                offset = dest.stat().st_size
                if offset:
                    request_headers["Range"] = f"bytes={offset}-"
            try:
                response = self.session.request(
                    current_method,
                    current_url,
                    headers=request_headers,
                    data=data if current_method == "POST" else None,
                    json=json_body if current_method == "POST" else None,
                    timeout=self.timeout,
                    allow_redirects=False,
                    stream=True,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise RetryableError(f"{type(exc).__name__}: {exc}") from None

            with response:
                if response.status_code in REDIRECT_STATUSES and "Location" in response.headers:
                    hops.append(current_url)
                    if len(hops) > self.max_redirects:
                        raise TooManyRedirectsError(
                            f"More than {self.max_redirects} redirects from {url}.", url=url
                        )
                    next_url = urljoin(current_url, response.headers["Location"])
                    if next_url in hops:
                        raise TooManyRedirectsError(f"Redirect loop at {next_url}.", url=url)
                    if response.status_code == 303 or (
                        response.status_code in (301, 302) and current_method == "POST"
                    ):
                        current_method = "GET"
                    current_url = next_url
                    continue
                return self._read(
                    response,
                    url=current_url,
                    hops=hops,
                    cap=cap,
                    dest=dest,
                    offset=offset,
                    accept_types=accept_types,
                )

    def _read(
        self,
        response: requests.Response,
        *,
        url: str,
        hops: list[str],
        cap: int,
        dest: Path | None,
        offset: int,
        accept_types: tuple[str, ...] | None,
    ) -> FetchResult:
        fetched_at = datetime.now(UTC)
        if response.status_code == 304:
            return self._result(
                response, url, hops, None, None, 0, blake3.blake3(), fetched_at, not_modified=True
            )
        _status_check(response, url=url, dest=dest, offset=offset)
        _content_type_check(response, url=url, accept_types=accept_types)
        if response.status_code != 206:
            offset = 0  # the server ignored the Range header: the body is the whole file
        body = body_read(response, url=url, cap=cap, dest=dest, offset=offset)
        return self._result(
            response, url, hops, body.content, dest, body.size, body.hasher, fetched_at
        )

    @staticmethod
    def _result(
        response: requests.Response,
        url: str,
        hops: list[str],
        content: bytes | None,
        path: Path | None,
        size: int,
        hasher: Any,
        fetched_at: datetime,
        *,
        not_modified: bool = False,
    ) -> FetchResult:
        return FetchResult(
            url=url,
            status=response.status_code,
            headers=response.headers,
            content=content,
            path=path,
            size=size,
            digest=hasher.hexdigest(),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            not_modified=not_modified,
            attempts=1,
            elapsed=0.0,
            fetched_at=fetched_at,
            redirects=hops,
        )


def _status_check(response: requests.Response, *, url: str, dest: Path | None, offset: int) -> None:
    """Statuses worth another attempt raise ``RetryableError``; other failures,
    ``HttpError``."""
    status = response.status_code
    if status in RETRY_STATUSES:
        raise RetryableError(
            f"HTTP {status} from {url}",
            status=status,
            retry_after=_parse_retry_after(response.headers.get("Retry-After")),
        )
    if status == 416 and dest is not None and offset:
        # The partial file is already complete (or stale): start over without Range.
        dest.unlink()
        raise RetryableError(f"HTTP 416 from {url} for a resumed download", status=416)
    if status >= 400:
        raise HttpError(f"HTTP {status} from {url}.", url=url, status=status)


def _content_type_check(
    response: requests.Response, *, url: str, accept_types: tuple[str, ...] | None
) -> None:
    content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if accept_types and not any(content_type.startswith(t.lower()) for t in accept_types):
        raise DisallowedContentTypeError(
            f"{url} answered {content_type or 'no content type'}, expected "
            f"{' or '.join(accept_types)}.",
            url=url,
            status=response.status_code,
        )


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
