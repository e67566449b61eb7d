"""Webhook endpoints, Standard Webhooks signing and the delivery dispatcher.

Deliveries are real HTTP POSTs made with httpx on the application's event loop,
so a receiver gets the same bytes and headers whether the mock runs in-process
(TestClient, httpx.ASGITransport) or behind uvicorn. A queue with worker threads
was rejected: deliveries are I/O bound and asyncio tasks cancel cleanly at
shutdown.

Signing follows Standard Webhooks (https://www.standardwebhooks.com/): the
headers `webhook-id`, `webhook-timestamp` and `webhook-signature`, where the
signature is `v1,` plus base64 HMAC-SHA256 over `{id}.{timestamp}.{body}`. A
secret that starts with `whsec_` is base64 after the prefix, as Standard
Webhooks specifies. Any other secret is used as its UTF-8 bytes. Both go through the
`standardwebhooks` package, so signatures match what receivers verify with it.

The secret is write-only: deliveries use it to sign and never write it to a
log line or the delivery log.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import random
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from mock_server.models import format_timestamp
from mock_server.webhook_endpoints import InvalidWebhookConfig, WebhookEndpoint, check_webhook_url

logger = logging.getLogger("kms_mock")

# A bound, so a long session cannot grow the log without limit. The oldest entries are dropped first.
DELIVERY_LOG_SIZE = 10_000
USER_AGENT = "kms-mock-webhooks/0.1"


# ---------------------------------------------------------------- signing


def signer_for(secret: str) -> Webhook:
    """Build the signer. A `whsec_` secret is base64 after the prefix, any other its UTF-8 bytes."""
    if secret.startswith("whsec_"):
        return Webhook(secret)
    return Webhook(secret.encode("utf-8"))


def signed_headers(secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Return the Standard Webhooks headers for `body`, signed over those exact bytes."""
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signer_for(secret).sign(event_id, moment, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class WebhookEvent:
    """One event as delivered: the id stays the same on every retry."""

    event_id: str
    event_type: str
    payload: Mapping[str, Any]

    @property
    def body(self) -> bytes:
        """The exact bytes sent and signed: compact JSON, with money as decimal strings."""
        return json.dumps(self.payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def new_event_id() -> str:
    return f"evt_{secrets.token_hex(12)}"


# ---------------------------------------------------------------- delivery log


@dataclass(frozen=True)
class DeliveryAttempt:
    """One HTTP attempt of one event to one endpoint, as GET /_mock/webhooks/deliveries lists it."""

    event_id: str
    endpoint_id: str
    url: str
    event_type: str
    attempt: int
    status_code: int | None
    latency_ms: int
    error: str | None
    delivered_at: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class DeliveryLog:
    """The most recent attempts, oldest first, safe to read from any thread."""

    def __init__(self, size: int = DELIVERY_LOG_SIZE) -> None:
        self._lock = threading.Lock()
        self._entries: collections.deque[DeliveryAttempt] = collections.deque(maxlen=size)

    def append(self, entry: DeliveryAttempt) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[DeliveryAttempt]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# ---------------------------------------------------------------- dispatcher


@dataclass(frozen=True)
class DeliveryPolicy:
    """Retry schedule, timeout and allowed hosts: one attempt plus one retry per `retry_delays` entry."""

    retry_delays: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)
    timeout_seconds: float = 5.0
    allowed_hosts: tuple[str, ...] = ()
    # Each delay is drawn from [delay * (1 - jitter), delay], so retries of many
    # events that failed together do not hit the receiver at the same moment.
    jitter: float = 0.5

    @property
    def max_attempts(self) -> int:
        return len(self.retry_delays) + 1

    def delay_before_retry(self, retry_number: int, rng: random.Random) -> float:
        """Return the seconds to wait before retry `retry_number` (1-based)."""
        base = self.retry_delays[retry_number - 1]
        return base * (1 - self.jitter * rng.random())


ClientFactory = Callable[[float], httpx.AsyncClient]


def default_client(timeout_seconds: float) -> httpx.AsyncClient:
    # trust_env=False: a proxy variable in the environment must not send deliveries elsewhere.
    return httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=timeout_seconds)


class WebhookDispatcher:
    """Deliver events as asyncio tasks on the application's loop, with retries and a log."""

    def __init__(
        self,
        policy: DeliveryPolicy | None = None,
        log: DeliveryLog | None = None,
        client_factory: ClientFactory = default_client,
    ) -> None:
        self.policy = policy or DeliveryPolicy()
        self.log = log or DeliveryLog()
        self._client_factory = client_factory
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._tasks_lock = threading.Lock()
        self._rng = random.Random()

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Run future deliveries on `loop`. The webhook extension calls this when the server starts."""
        self._loop = loop

    def submit(self, event: WebhookEvent, endpoint: WebhookEndpoint) -> None:
        """Queue one event for one endpoint. Safe to call from the loop or from a worker thread."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None:
            self._loop = running
            self._spawn(event, endpoint)
            return
        loop = self._loop
        if loop is None or loop.is_closed():
            logger.error("webhook event %s dropped: no running event loop to deliver it on", event.event_id)
            return
        loop.call_soon_threadsafe(self._spawn, event, endpoint)

    def pending(self) -> int:
        """Return how many deliveries are still running or waiting to retry."""
        with self._tasks_lock:
            return sum(1 for task in self._tasks if not task.done())

    async def drain(self, timeout_seconds: float) -> bool:
        """Wait up to `timeout_seconds` for queued deliveries and return True if all finished."""
        tasks = self._snapshot()
        if not tasks:
            return True
        _done, still_running = await asyncio.wait(tasks, timeout=timeout_seconds)
        return not still_running

    async def aclose(self, grace_seconds: float = 2.0) -> None:
        """Let deliveries finish for `grace_seconds`, then cancel the rest (used at shutdown)."""
        if await self.drain(grace_seconds):
            return
        tasks = self._snapshot()
        logger.warning("cancelling %d webhook deliveries still pending at shutdown", len(tasks))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _snapshot(self) -> list[asyncio.Task[None]]:
        with self._tasks_lock:
            return [task for task in self._tasks if not task.done()]

    def _spawn(self, event: WebhookEvent, endpoint: WebhookEndpoint) -> None:
        task = asyncio.get_running_loop().create_task(self._deliver(event, endpoint))
        with self._tasks_lock:
            self._tasks.add(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        with self._tasks_lock:
            self._tasks.discard(task)

    async def _deliver(self, event: WebhookEvent, endpoint: WebhookEndpoint) -> None:
        try:
            check_webhook_url(endpoint.url, self.policy.allowed_hosts)
        except InvalidWebhookConfig as exc:
            logger.error("webhook event %s not delivered to %s: %s", event.event_id, endpoint.id, exc)
            return
        try:
            async with self._client_factory(self.policy.timeout_seconds) as client:
                await self._deliver_with_retries(client, event, endpoint)
        except asyncio.CancelledError:
            logger.warning(
                "webhook event %s to %s cancelled before it was delivered", event.event_id, endpoint.id
            )
            raise
        except Exception:
            # A task's exception is otherwise only reported when the task is collected, if ever.
            logger.exception("webhook event %s to %s failed unexpectedly", event.event_id, endpoint.id)

    async def _deliver_with_retries(
        self, client: httpx.AsyncClient, event: WebhookEvent, endpoint: WebhookEndpoint
    ) -> None:
        body = event.body
        for attempt in range(1, self.policy.max_attempts + 1):
            if await self._attempt(client, event, endpoint, attempt, body):
                return
            if attempt == self.policy.max_attempts:
                break
            delay = self.policy.delay_before_retry(attempt, self._rng)
            logger.warning(
                "webhook event %s to %s: retry %d in %.3fs", event.event_id, endpoint.id, attempt, delay
            )
            await asyncio.sleep(delay)
        logger.error(
            "webhook event %s to %s failed after %d attempts",
            event.event_id,
            endpoint.id,
            self.policy.max_attempts,
        )

    async def _attempt(
        self,
        client: httpx.AsyncClient,
        event: WebhookEvent,
        endpoint: WebhookEndpoint,
        attempt: int,
        body: bytes,
    ) -> bool:
        # A fresh timestamp per attempt: receivers reject old timestamps, and retries can span minutes.
        headers = signed_headers(endpoint.secret, event.event_id, int(time.time()), body)
        started = time.perf_counter()
        status_code, error = await _post(client, endpoint.url, headers, body)
        latency_ms = round((time.perf_counter() - started) * 1000)
        entry = DeliveryAttempt(
            event_id=event.event_id,
            endpoint_id=endpoint.id,
            url=endpoint.url,
            event_type=event.event_type,
            attempt=attempt,
            status_code=status_code,
            latency_ms=latency_ms,
            error=error,
            delivered_at=format_timestamp(datetime.now(timezone.utc)),
        )
        self.log.append(entry)
        _log_attempt(entry)
        return error is None


async def _post(
    client: httpx.AsyncClient, url: str, headers: Mapping[str, str], body: bytes
) -> tuple[int | None, str | None]:
    """POST once; return the status code (if any) and an error text (None on a 2xx)."""
    request = client.build_request("POST", url, headers=dict(headers), content=body)
    try:
        # stream=True: only the status matters, so a large reply body is never read.
        response = await client.send(request, stream=True)
    except httpx.TimeoutException as exc:
        return None, f"timed out: {type(exc).__name__}"
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    await response.aclose()
    status = response.status_code
    if 200 <= status < 300:
        return status, None
    if 300 <= status < 400:
        return status, f"HTTP {status}: redirects are not followed"
    return status, f"HTTP {status}"


def _log_attempt(entry: DeliveryAttempt) -> None:
    level = logging.INFO if entry.error is None else logging.WARNING
    logger.log(
        level,
        "webhook attempt event=%s type=%s endpoint=%s url=%s attempt=%d status=%s latency_ms=%d error=%s",
        entry.event_id,
        entry.event_type,
        entry.endpoint_id,
        entry.url,
        entry.attempt,
        entry.status_code,
        entry.latency_ms,
        entry.error,
    )
