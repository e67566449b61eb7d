"""A real HTTP webhook receiver on 127.0.0.1 for tests, served from a thread.

It records every request (headers and exact body bytes) and responds with a
scripted sequence of status codes, then with a default status. A scripted 3xx
carries a `Location` header so redirect handling can be tested.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """A receiver to use as `with WebhookReceiver(...) as receiver:`. The server stops on exit."""

    def __init__(
        self,
        statuses: Sequence[int] = (),
        default_status: int = 204,
        location: str | None = None,
        delay_seconds: float = 0.0,
    ) -> None:
        self._script = list(statuses)
        self._default_status = default_status
        self._location = location
        self._delay_seconds = delay_seconds
        self._lock = threading.Lock()
        self.requests: list[ReceivedRequest] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    def event_ids(self) -> list[str]:
        with self._lock:
            return [request.headers["webhook-id"] for request in self.requests]

    def wait_for(self, count: int, timeout_seconds: float = 5.0) -> bool:
        """Wait until `count` requests arrived, for at most `timeout_seconds`."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= count:
                    return True
            time.sleep(0.01)
        return False

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next_status(self) -> int:
        with self._lock:
            return self._script.pop(0) if self._script else self._default_status

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver._record(ReceivedRequest(self.path, headers, body))
                if receiver._delay_seconds:
                    time.sleep(receiver._delay_seconds)
                status = receiver._next_status()
                self.send_response(status)
                if 300 <= status < 400 and receiver._location:
                    self.send_header("Location", receiver._location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                """Keep test output quiet, because tests read the recorded requests instead."""

        return Handler
