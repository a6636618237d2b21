"""Shop fixtures served over a real socket on 127.0.0.1.

Each shop is a directory of ``tests/merchants/fixtures/``; its files are served at their
relative path (``products/cohiba-siglo-vi.html`` → ``/products/cohiba-siglo-vi.html``),
with ``{{BASE}}`` replaced by the server's base URL (sitemaps need absolute URLs). Every
request is recorded with its arrival time (``time.monotonic``), which is what the rate
limit tests measure. ``etags=True`` makes the shop answer conditional GETs with 304.
"""

from __future__ import annotations

import hashlib
import io
import time
from pathlib import Path

from PIL import Image

from tests.support.http_server import LocalHttpServer, RecordedRequest, Reply

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
}


def jpeg_bytes(colour: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


class ShopServer(LocalHttpServer):
    def __init__(self, shop: str | None = None, *, etags: bool = False) -> None:
        super().__init__()
        self.etags = etags
        self.arrivals: list[tuple[float, str]] = []
        if shop is not None:
            self.load(shop)

    def load(self, shop: str) -> None:
        root = FIXTURES / shop
        for path in sorted(root.rglob("*")):
            if path.is_file():
                self.serve_file("/" + path.relative_to(root).as_posix(), path)

    def serve_file(self, route: str, path: Path) -> None:
        content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        self.serve(route, lambda: path.read_bytes(), content_type)

    def serve(self, route: str, body, content_type: str, status: int = 200) -> None:
        """Serve ``body`` (bytes, or a callable read at request time) at ``route``."""

        def handler(request: RecordedRequest) -> Reply:
            raw = body() if callable(body) else body
            if content_type.startswith(("text/", "application/xml")):
                raw = raw.replace(b"{{BASE}}", self.base_url.encode())
            headers = {"Content-Type": content_type}
            if self.etags:
                etag = '"' + hashlib.sha256(raw).hexdigest()[:16] + '"'
                headers["ETag"] = etag
                if request.headers.get("If-None-Match") == etag:
                    return Reply(304, b"", {"ETag": etag})
            return Reply(status, raw, headers)

        self.route(route, handler)

    def route(self, path: str, handler) -> None:
        inner = handler if callable(handler) else (lambda _request, r=handler: r)

        def timed(request: RecordedRequest) -> Reply:
            self.arrivals.append((time.monotonic(), request.path))
            return inner(request)

        super().route(path, timed)

    def image(self, route: str, data: bytes) -> None:
        self.serve(route, data, "image/jpeg")

    def arrival_times(self) -> list[float]:
        return [moment for moment, _path in self.arrivals]
