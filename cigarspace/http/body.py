"""Reading a response body: capped, hashed with BLAKE3 on the way, into memory or onto a
file that a dropped connection leaves resumable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import blake3
import requests
import urllib3

from cigarspace.http.errors import RetryableError, TooLargeError

CHUNK_SIZE = 64 * 1024


@dataclass
class Body:
    content: bytes | None  # None when it went to a file
    size: int  # the whole file's, resumed part included
    hasher: Any  # a blake3 hasher over the whole file


def declared_length_check(
    response: requests.Response, *, url: str, cap: int, offset: int
) -> int | None:
    """The Content-Length the server declares (None if it declares none), refused at once
    when the body would pass the cap."""
    declared = response.headers.get("Content-Length")
    if not (declared and declared.isdigit()):
        return None
    if offset + int(declared) > cap:
        raise TooLargeError(
            f"{url} is {offset + int(declared)} bytes, over the {cap}-byte limit.",
            url=url,
            status=response.status_code,
        )
    return int(declared)


def body_read(
    response: requests.Response, *, url: str, cap: int, dest: Path | None, offset: int
) -> Body:
    """Stream the body into ``dest`` (appending after ``offset`` bytes already there) or
    into memory. Over the cap: ``TooLargeError`` and the partial file removed; a dropped or
    short body: ``RetryableError`` (the file kept for a resumed attempt)."""
    declared = declared_length_check(response, url=url, cap=cap, offset=offset)
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
            for chunk in body_chunks(response):
                size += len(chunk)
                if size > cap:
                    raise TooLargeError(
                        f"{url} exceeded the {cap}-byte limit while downloading.",
                        url=url,
                        status=response.status_code,
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
            raise RetryableError(f"connection dropped after {size} bytes: {exc}") from None
    except TooLargeError:
        sink.close()
        if dest is not None:
            dest.unlink(missing_ok=True)
        raise
    finally:
        if not sink.closed and dest is not None:
            sink.close()
    if declared is not None and size - offset < declared:
        raise RetryableError(f"body truncated at {size} bytes")
    return Body(content=sink.getvalue() if dest is None else None, size=size, hasher=hasher)


def body_chunks(response: requests.Response) -> Iterable[bytes]:
    """The body as it arrives: ``read1`` hands over every byte received before a drop, so
    that a resumed download continues exactly where the connection broke."""
    raw = response.raw
    while True:
        chunk = raw.read1(CHUNK_SIZE, decode_content=True)
        if not chunk:
            return
        yield chunk
