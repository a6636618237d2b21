"""The one HTTP client for all outbound network access (SPEC §5).

Every adapter (customs channels, image intake, merchant crawls) fetches through
``HttpClient`` so that the same rules hold everywhere:

- connect and read timeouts, a clear User-Agent;
- retries with exponential backoff and jitter on 403/408/429/5xx and dropped connections,
  honouring ``Retry-After`` (the customs site answers intermittent 403s);
- conditional GET (``If-None-Match`` / ``If-Modified-Since`` → ``not_modified``);
- downloads streamed to a file, resumed with ``Range`` after a dropped connection (the
  DILA server drops long downloads), hashed with BLAKE3 on the way;
- a size cap (checked against ``Content-Length`` first, then counted while streaming) and
  an optional content-type allow-list;
- only http and https, and — with ``guard_private`` — no private, loopback, link-local,
  multicast or cloud-metadata address: checked after DNS resolution before connecting,
  on every redirect hop, and again on the socket actually connected (DNS rebinding).
  ``settings.HTTP_ALLOWED_PRIVATE_HOSTS`` lets tests reach 127.0.0.1.

Callers record provenance from the returned ``FetchResult`` (URL, status, size, digest,
time); the client itself stores nothing.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json as jsonlib
import logging
import random
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import blake3
import requests
import urllib3
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({403, 408, 425, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_SIZE = 64 * 1024
RETRY_AFTER_MAX_SECONDS = 120.0


# --- errors -------------------------------------------------------------------------------


class HttpError(Exception):
    """A fetch that failed for good (after the retries it deserved)."""

    def __init__(
        self, message: str, *, url: str, status: int | None = None, attempts: int = 1
    ) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.status = status
        self.attempts = attempts

    def __str__(self) -> str:
        return self.message


class BlockedAddressError(HttpError):
    """The URL's scheme or the address it resolves to is not allowed."""


class TooLargeError(HttpError):
    """The body is larger than the cap."""


class DisallowedContentTypeError(HttpError):
    """The server's Content-Type is not among the accepted ones."""


class TooManyRedirectsError(HttpError):
    """A redirect chain longer than allowed, or a loop."""


# --- the address guard --------------------------------------------------------------------

# Not "global" in ipaddress terms is already refused; these are named for the error message.
_METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
}


def _allowed_private_hosts() -> list[str]:
    return list(getattr(settings, "HTTP_ALLOWED_PRIVATE_HOSTS", []) or [])


def _host_is_allow_listed(host: str, address: ipaddress._BaseAddress | None = None) -> bool:
    for allowed in _allowed_private_hosts():
        if host.lower() == allowed.lower():
            return True
        if address is not None:
            try:
                if address in ipaddress.ip_network(allowed, strict=False):
                    return True
            except ValueError:
                continue
    return False


def _refusal_reason(address: ipaddress._BaseAddress) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in _METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private address"
    if address.is_multicast or address.is_reserved or address.is_unspecified:
        return "a reserved address"
    if not address.is_global:
        return "a non-public address"
    return None


def _resolve(host: str, port: int) -> list:
    return socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)


def check_url_allowed(url: str, *, guard_private: bool = True) -> None:
    """Refuse non-http(s) URLs and, when guarding, hosts resolving to non-public addresses.

    Runs before any connection is opened. Raises BlockedAddressError.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedAddressError(
            f"Only http and https URLs may be fetched, not {parts.scheme or 'a relative'} URL.",
            url=url,
        )
    host = parts.hostname
    if not host:
        raise BlockedAddressError("The URL has no host.", url=url)
    if not guard_private or _host_is_allow_listed(host):
        return
    try:
        infos = _resolve(host, parts.port or 443)
    except socket.gaierror as exc:
        raise HttpError(f"Cannot resolve {host}: {exc.strerror}.", url=url) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if _host_is_allow_listed(host, address):
            continue
        reason = _refusal_reason(address)
        if reason:
            raise BlockedAddressError(
                f"Refused to fetch {url}: {host} resolves to {address}, {reason}.", url=url
            )


def _check_connected_peer(sock: socket.socket, host: str) -> None:
    peer = ipaddress.ip_address(sock.getpeername()[0].split("%", 1)[0])
    if _host_is_allow_listed(host, peer):
        return
    reason = _refusal_reason(peer)
    if reason:
        sock.close()
        raise BlockedAddressError(
            f"Refused the connection to {host}: it reached {peer}, {reason}.", url=host
        )


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_connected_peer(sock, self.host)
        return sock


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_connected_peer(sock, self.host)
        return sock


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    """Checks the address of every socket it opens, whatever DNS said a moment before."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }


# --- results ------------------------------------------------------------------------------


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


class _RetryableError(Exception):
    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


# --- the client ---------------------------------------------------------------------------


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
            adapter = _GuardedAdapter()
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
        cap = max_bytes if max_bytes is not None else self.max_bytes
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
            except _RetryableError as exc:
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
                raise _RetryableError(f"{type(exc).__name__}: {exc}") from None

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
        status = response.status_code
        fetched_at = datetime.now(UTC)
        if status == 304:
            return self._result(
                response, url, hops, None, None, 0, blake3.blake3(), fetched_at, not_modified=True
            )
        if status in RETRY_STATUSES:
            raise _RetryableError(
                f"HTTP {status} from {url}",
                status=status,
                retry_after=_parse_retry_after(response.headers.get("Retry-After")),
            )
        if status == 416 and dest is not None and offset:
            # The partial file is already complete (or stale): start over without Range.
            dest.unlink()
            raise _RetryableError(f"HTTP 416 from {url} for a resumed download", status=416)
        if status >= 400:
            raise HttpError(f"HTTP {status} from {url}.", url=url, status=status)

        content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if accept_types and not any(content_type.startswith(t.lower()) for t in accept_types):
            raise DisallowedContentTypeError(
                f"{url} answered {content_type or 'no content type'}, expected "
                f"{' or '.join(accept_types)}.",
                url=url,
                status=status,
            )

        if status != 206:
            offset = 0  # the server ignored the Range header: the body is the whole file
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and offset + int(declared) > cap:
            raise TooLargeError(
                f"{url} is {offset + int(declared)} bytes, over the {cap}-byte limit.",
                url=url,
                status=status,
            )

        hasher = blake3.blake3()
        size = offset
        sink: Any
        if dest is not None:
            dest.parent.mkdir(parents=True, exist_ok=True)
            if offset:
                with dest.open("rb") as existing:  # the digest covers the whole file
                    for chunk in iter(lambda: existing.read(CHUNK_SIZE), b""):
                        hasher.update(chunk)
            sink = dest.open("ab" if offset else "wb")
        else:
            sink = BytesIO()
        try:
            try:
                for chunk in _body_chunks(response):
                    size += len(chunk)
                    if size > cap:
                        raise TooLargeError(
                            f"{url} exceeded the {cap}-byte limit while downloading.",
                            url=url,
                            status=status,
                        )
                    hasher.update(chunk)
                    sink.write(chunk)
            except (
                requests.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
                requests.Timeout,
                urllib3.exceptions.HTTPError,
                OSError,
            ) as exc:
                raise _RetryableError(f"connection dropped after {size} bytes: {exc}") from None
        except TooLargeError:
            sink.close()
            if dest is not None:
                dest.unlink(missing_ok=True)
            raise
        finally:
            if not sink.closed and dest is not None:
                sink.close()
        if declared and declared.isdigit() and size - offset < int(declared):
            raise _RetryableError(f"body truncated at {size} bytes")
        content = sink.getvalue() if dest is None else None
        return self._result(response, url, hops, content, dest, size, hasher, fetched_at)

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


def _body_chunks(response: requests.Response) -> Iterable[bytes]:
    """The body as it arrives: ``read1`` hands over every byte received before a drop, so
    that a resumed download continues exactly where the connection broke."""
    raw = response.raw
    while True:
        chunk = raw.read1(CHUNK_SIZE, decode_content=True)
        if not chunk:
            return
        yield chunk


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
