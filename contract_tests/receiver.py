"""A webhook receiver on a loopback port, for the webhook scenario.

It records each delivery (headers and raw body) and returns 204. It listens on
127.0.0.1 only, and the scenario waits for a delivery with a bounded timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Deliveries received so far, and the URL to register."""

    url: str
    deliveries: list[Delivery] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def add(self, delivery: Delivery) -> None:
        with self._arrived:
            self.deliveries.append(delivery)
            self._arrived.notify_all()

    def wait_for(self, event_id: str, timeout: float) -> Delivery | None:
        """Return the first delivery whose webhook-id is `event_id`, waiting at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for delivery in self.deliveries:
                    if delivery.headers.get("webhook-id") == event_id:
                        return delivery
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._arrived.wait(remaining)


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
            length = min(int(self.headers.get("content-length") or 0), MAX_BODY_BYTES)
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            receiver.add(Delivery(headers, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
            """Keep deliveries out of stderr; the scenario reports what matters."""

    return Handler


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """Serve a receiver on a free loopback port for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/kmsct-webhook")
    server.RequestHandlerClass = _handler_for(receiver)
    thread = threading.Thread(target=server.serve_forever, name="kmsct-webhook-receiver", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
