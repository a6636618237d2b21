"""Errors of the HTTP client: every final failure is an ``HttpError``."""

from __future__ import annotations


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


class RetryableError(Exception):
    """Internal to the client: this attempt failed in a way another attempt may not (a
    dropped connection, a 5xx, a 403 the customs site answers now and then)."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
