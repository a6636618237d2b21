"""Refusals of the media store: each carries a stable ``code`` and a message for humans.

They are Django ``ValidationError``s, so the API's exception handler turns any that is not
mapped more precisely into a JSON 400, and management commands print the message as is.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class MediaRefusedError(ValidationError):
    """The bytes (or the place they were to come from) are not accepted."""

    default_code = "refused"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code or self.default_code)
        self.reason = message

    def __str__(self) -> str:
        return self.reason


class TooLargeRefusedError(MediaRefusedError):
    default_code = "too_large"


class SourceRefusedError(MediaRefusedError):
    """The URL itself is refused: scheme, private address, redirect to one."""

    default_code = "source_refused"


class FetchFailedError(MediaRefusedError):
    """The remote server did not give us the file (HTTP error, timeout, bad redirect)."""

    default_code = "fetch_failed"


class ImageRefusedError(MediaRefusedError):
    """Not a valid JPEG, PNG or WebP image within the limits."""

    default_code = "invalid_image"
