"""A webhook receiver for trying the price watch on one machine: it checks each signature
exactly as a client should (``watch.services.webhooks.signature_verify``) and keeps what
it got. The demo starts one on 127.0.0.1; ``manage.py webhook_receiver`` runs one alone.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from watch.services.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature_verify,
)

MAX_BODY = 1024 * 1024


@dataclass
class Received:
    delivery: str
    event: str
    valid: bool
    body: dict


class WebhookReceiver:
    def __init__(
        self,
        *,
        secret: str = "",
        host: str = "127.0.0.1",
        port: int = 0,
        on_receive: Callable[[Received], None] | None = None,
    ) -> None:
        self.secret = secret
        self.received: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
                body = self.rfile.read(length)
                valid = signature_verify(
                    secret=receiver.secret,
                    timestamp=self.headers.get(TIMESTAMP_HEADER, ""),
                    body=body,
                    header=self.headers.get(SIGNATURE_HEADER, ""),
                    now=time.time(),
                )
                try:
                    parsed = json.loads(body)
                except ValueError:
                    parsed = {}
                item = Received(
                    delivery=self.headers.get(DELIVERY_HEADER, ""),
                    event=self.headers.get(EVENT_HEADER, ""),
                    valid=valid,
                    body=parsed,
                )
                receiver.received.append(item)
                if on_receive:
                    on_receive(item)
                status = 200 if valid else 401
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/cigarspace-webhook"

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
