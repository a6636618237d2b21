"""The one HTTP client for all outbound network access (docs/architecture.md).

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

from cigarspace.http.client import HttpClient
from cigarspace.http.errors import (
    BlockedAddressError,
    DisallowedContentTypeError,
    HttpError,
    TooLargeError,
    TooManyRedirectsError,
)
from cigarspace.http.guard import check_url_allowed
from cigarspace.http.result import FetchResult

__all__ = [
    "BlockedAddressError",
    "DisallowedContentTypeError",
    "FetchResult",
    "HttpClient",
    "HttpError",
    "TooLargeError",
    "TooManyRedirectsError",
    "check_url_allowed",
]
