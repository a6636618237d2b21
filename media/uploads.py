"""An upload handler that stops a request body as soon as it passes the image cap.

Django's default handlers spool any upload to a temp file whatever its size; with this
one first in line, a 2 GB "image" costs at most the cap in disk space before it is refused.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler

from media.exceptions import TooLargeRefusedError


class CappedUploadHandler(FileUploadHandler):
    def __init__(self, request=None, *, max_bytes: int | None = None) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes if max_bytes is not None else settings.MEDIA_MAX_IMAGE_BYTES
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Refuse at once when the client announces a body far over the cap.
        if content_length and content_length > self.max_bytes + 1024 * 1024:
            raise TooLargeRefusedError(
                f"The upload is {content_length} bytes, over the limit of {self.max_bytes} bytes.",
                code="too_large",
            )

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            raise TooLargeRefusedError(
                f"The upload is over the limit of {self.max_bytes} bytes.", code="too_large"
            )
        return raw_data  # the next handler stores it

    def file_complete(self, file_size):
        return None


def install_capped_upload_handler(request, *, max_bytes: int | None = None) -> None:
    """Put the cap first; call before anything reads the request body."""
    request.upload_handlers.insert(0, CappedUploadHandler(request, max_bytes=max_bytes))
