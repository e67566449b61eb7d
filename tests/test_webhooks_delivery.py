"""Deliveries from the dispatcher to a real receiver on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
from decimal import Decimal

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from webhook_receiver import WebhookReceiver

from mock_server.webhook_endpoints import EndpointRegistry, WebhookEndpoint
from mock_server.webhooks import DeliveryPolicy, WebhookDispatcher, WebhookEvent, new_event_id

WHSEC_SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
PLAIN_SECRET = "plain-secret-\u00e9t\u00e9"
FAST_RETRIES = DeliveryPolicy(retry_delays=(0.01, 0.02, 0.04), timeout_seconds=2.0)


def make_endpoint(url: str, secret: str = WHSEC_SECRET) -> WebhookEndpoint:
    registry = EndpointRegistry()
    return registry.add(url, ["quota_warning", "limit_exceeded"], secret, Decimal("0.8"))


def make_event() -> WebhookEvent:
    event_id = new_event_id()
    payload = {"event_id": event_id, "type": "test", "spend": "12.50", "note": "caf\u00e9"}
    return WebhookEvent(event_id=event_id, event_type="test", payload=payload)


def deliver(dispatcher: WebhookDispatcher, event: WebhookEvent, endpoint: WebhookEndpoint) -> None:
    async def run() -> None:
        dispatcher.submit(event, endpoint)
        assert await dispatcher.drain(10.0)

    asyncio.run(run())


def test_delivery_verifies_with_standardwebhooks() -> None:
    with WebhookReceiver() as receiver:
        deliver(WebhookDispatcher(FAST_RETRIES), make_event(), make_endpoint(receiver.url))
    request = receiver.requests[0]

    payload = Webhook(WHSEC_SECRET).verify(request.body, request.headers)

    assert payload["type"] == "test"
    assert payload["note"] == "caf\u00e9"


def test_one_changed_byte_fails_verification() -> None:
    with WebhookReceiver() as receiver:
        deliver(WebhookDispatcher(FAST_RETRIES), make_event(), make_endpoint(receiver.url))
    request = receiver.requests[0]
    tampered = request.body.replace(b"12.50", b"12.51")

    assert tampered != request.body
    with pytest.raises(WebhookVerificationError):
        Webhook(WHSEC_SECRET).verify(tampered, request.headers)


def test_plain_secret_signs_with_utf8_bytes() -> None:
    with WebhookReceiver() as receiver:
        deliver(WebhookDispatcher(FAST_RETRIES), make_event(), make_endpoint(receiver.url, PLAIN_SECRET))
    request = receiver.requests[0]

    payload = Webhook(PLAIN_SECRET.encode("utf-8")).verify(request.body, request.headers)

    assert payload["event_id"] == request.headers["webhook-id"]


def test_retries_keep_one_event_id() -> None:
    dispatcher = WebhookDispatcher(FAST_RETRIES)
    event = make_event()
    with WebhookReceiver(statuses=[500, 503]) as receiver:
        deliver(dispatcher, event, make_endpoint(receiver.url))
    attempts = dispatcher.log.entries()

    assert receiver.event_ids() == [event.event_id] * 3
    assert len(set(receiver.event_ids())) == 1
    assert [a.attempt for a in attempts] == [1, 2, 3]
    assert [a.status_code for a in attempts] == [500, 503, 204]
    assert attempts[-1].error is None


def test_every_retry_verifies() -> None:
    with WebhookReceiver(statuses=[500, 500]) as receiver:
        deliver(WebhookDispatcher(FAST_RETRIES), make_event(), make_endpoint(receiver.url))

    assert len(receiver.requests) == 3
    for request in receiver.requests:
        Webhook(WHSEC_SECRET).verify(request.body, request.headers)


def test_attempts_stop_at_the_limit() -> None:
    dispatcher = WebhookDispatcher(FAST_RETRIES)
    with WebhookReceiver(default_status=500) as receiver:
        deliver(dispatcher, make_event(), make_endpoint(receiver.url))

    assert len(receiver.requests) == FAST_RETRIES.max_attempts
    assert all(a.error == "HTTP 500" for a in dispatcher.log.entries())


def test_redirect_is_a_failed_attempt() -> None:
    dispatcher = WebhookDispatcher(DeliveryPolicy(retry_delays=(0.01,), timeout_seconds=2.0))
    with WebhookReceiver() as target:
        with WebhookReceiver(default_status=302, location=target.url) as receiver:
            deliver(dispatcher, make_event(), make_endpoint(receiver.url))
    attempts = dispatcher.log.entries()

    assert target.requests == []
    assert [a.status_code for a in attempts] == [302, 302]
    assert all(a.error is not None and "not followed" in a.error for a in attempts)


def test_timeout_is_logged_as_error() -> None:
    policy = DeliveryPolicy(retry_delays=(), timeout_seconds=0.2)
    dispatcher = WebhookDispatcher(policy)
    with WebhookReceiver(delay_seconds=1.0) as receiver:
        deliver(dispatcher, make_event(), make_endpoint(receiver.url))
    (attempt,) = dispatcher.log.entries()

    assert attempt.status_code is None
    assert attempt.error is not None and attempt.error.startswith("timed out")


def test_refused_connection_is_logged_as_error() -> None:
    with WebhookReceiver() as receiver:
        closed_url = receiver.url
    dispatcher = WebhookDispatcher(DeliveryPolicy(retry_delays=(), timeout_seconds=1.0))

    deliver(dispatcher, make_event(), make_endpoint(closed_url))
    (attempt,) = dispatcher.log.entries()

    assert attempt.status_code is None
    assert attempt.error is not None and "ConnectError" in attempt.error


def test_secret_stays_out_of_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="kms_mock")
    dispatcher = WebhookDispatcher(FAST_RETRIES)
    with WebhookReceiver(statuses=[500]) as receiver:
        endpoint = make_endpoint(receiver.url, PLAIN_SECRET)
        deliver(dispatcher, make_event(), endpoint)

    assert "webhook attempt" in caplog.text
    assert PLAIN_SECRET not in caplog.text
    assert PLAIN_SECRET not in repr(endpoint)
    assert PLAIN_SECRET not in repr(dispatcher.log.entries())


def test_submit_from_worker_thread() -> None:
    dispatcher = WebhookDispatcher(FAST_RETRIES)
    event = make_event()

    async def run(endpoint: WebhookEndpoint) -> None:
        dispatcher.bind_loop(asyncio.get_running_loop())
        worker = threading.Thread(target=dispatcher.submit, args=(event, endpoint))
        worker.start()
        await asyncio.to_thread(worker.join, 5)
        await asyncio.sleep(0.05)
        assert await dispatcher.drain(5.0)

    with WebhookReceiver() as receiver:
        asyncio.run(run(make_endpoint(receiver.url)))

    assert receiver.event_ids() == [event.event_id]


def test_close_cancels_pending_retries() -> None:
    dispatcher = WebhookDispatcher(DeliveryPolicy(retry_delays=(30.0,), timeout_seconds=1.0))

    async def run(endpoint: WebhookEndpoint) -> int:
        dispatcher.submit(make_event(), endpoint)
        await asyncio.sleep(0.3)
        await dispatcher.aclose(grace_seconds=0.1)
        return dispatcher.pending()

    with WebhookReceiver(default_status=500) as receiver:
        pending_after_close = asyncio.run(asyncio.wait_for(run(make_endpoint(receiver.url)), 10))

    assert pending_after_close == 0
    assert len(receiver.requests) == 1


def test_disallowed_host_is_not_contacted() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    def client_factory(timeout_seconds: float) -> httpx.AsyncClient:
        # A mock transport: even if the host check failed, nothing would leave the process.
        return httpx.AsyncClient(transport=httpx.MockTransport(record), timeout=timeout_seconds)

    dispatcher = WebhookDispatcher(FAST_RETRIES, client_factory=client_factory)
    endpoint = make_endpoint("http://192.0.2.10/hook")

    deliver(dispatcher, make_event(), endpoint)

    assert sent == []
    assert dispatcher.log.entries() == []


def test_unexpected_error_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    def broken_factory(timeout_seconds: float) -> httpx.AsyncClient:
        raise RuntimeError("client construction failed")

    dispatcher = WebhookDispatcher(FAST_RETRIES, client_factory=broken_factory)
    event = make_event()

    deliver(dispatcher, event, make_endpoint("http://127.0.0.1:9/hook"))

    assert f"webhook event {event.event_id}" in caplog.text
    assert "failed unexpectedly" in caplog.text
    assert dispatcher.pending() == 0
