"""CPU time per request of the mock and the ceiling app, called in-process over ASGI.

wrk numbers depend on how much of its core a server gets, which on a shared
machine changes from second to second. This measurement calls each ASGI app
directly, with no socket and no uvicorn, and divides the process CPU time (not
wall time) by the request count. Other processes then barely move the result,
and the ratio between the two apps shows the mock's own cost on top of the
framework's. Uvicorn's HTTP parsing and socket work, the same for both apps,
is not included.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

import seed
from load import RequestSpec

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class CostResult:
    """CPU microseconds per request of one request on one app."""

    app: str
    request: str
    count: int
    cpu_us_per_request: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def http_scope(request: RequestSpec) -> dict[str, Any]:
    body = (request.body or "").encode()
    headers = [(b"host", b"127.0.0.1"), (b"content-length", str(len(body)).encode())]
    if request.body is not None:
        headers.append((b"content-type", b"application/json"))
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": request.method, "scheme": "http", "path": request.path,
        "raw_path": request.path.encode(), "query_string": b"", "root_path": "",
        "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80), "state": {},
    }


async def call_once(app: AsgiApp, request: RequestSpec) -> int:
    """Send one request through `app` and return its status code."""
    body = (request.body or "").encode()
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(http_scope(request), receive, send)
    return status


async def cpu_per_request(app: AsgiApp, request: RequestSpec, count: int) -> float:
    """Run `count` requests after a warm-up; return CPU microseconds per request."""
    for _ in range(max(count // 10, 1)):
        await call_once(app, request)
    started = time.process_time()
    for _ in range(count):
        status = await call_once(app, request)
        if not 200 <= status < 300:
            raise RuntimeError(f"{request.label} returned {status} in-process; the cost run is invalid")
    return (time.process_time() - started) / count * 1e6


async def run_lifespan(app: AsgiApp) -> Callable[[], Awaitable[None]]:
    """Start the app's lifespan and return a coroutine function that shuts it down."""
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}

    async def serve_lifespan() -> None:
        await app(scope, inbox.get, outbox.put)

    task = asyncio.create_task(serve_lifespan())
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"app failed to start: {started}")

    async def shut_down() -> None:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task

    return shut_down


async def seed_in_process(app: AsgiApp) -> None:
    """Seed the mock as bench/run.py does, through its control API."""
    documents = [seed.organization_document(seed.BENCH_ORGANIZATION)]
    documents += list(seed.key_documents(seed.BENCH_ORGANIZATION, 100))
    documents.append(seed.usage_document(seed.BENCH_ORGANIZATION, 100))
    for document in documents:
        fixtures = RequestSpec("POST /_mock/fixtures", "POST", "/_mock/fixtures", json.dumps(document))
        status = await call_once(app, fixtures)
        if status != 200:
            raise RuntimeError(f"seeding the in-process mock failed with status {status}")


async def measure_app(
    name: str, app: AsgiApp, requests: tuple[RequestSpec, ...], count: int
) -> list[CostResult]:
    shut_down = await run_lifespan(app)
    try:
        if name == "mock":
            await seed_in_process(app)
        return [
            CostResult(name, request.label, count, round(await cpu_per_request(app, request, count), 1))
            for request in requests
        ]
    finally:
        await shut_down()


def measure_costs(requests: tuple[RequestSpec, ...], count: int) -> list[CostResult]:
    """Measure the mock (default settings, extended profile) and the ceiling app."""
    # Imported here so that the load benchmark does not pay for building either app.
    import ceiling_app

    from mock_server.app import create_app
    from mock_server.config import MockSettings

    apps: dict[str, Any] = {"mock": create_app(MockSettings(log_level="warning")), "ceiling": ceiling_app.app}
    results: list[CostResult] = []
    for name, app in apps.items():
        results += asyncio.run(measure_app(name, app, requests, count))
    return results
