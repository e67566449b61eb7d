"""The webhook extension: configureWebhook, testWebhook and the delivery log.

It replaces the HTTP layer's baseline webhook handlers (which only count
endpoints) with ones that deliver: it subscribes the threshold engine to the
store, runs the dispatcher on the server's event loop, and serves
`GET /_mock/webhooks/deliveries`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import FastAPI

from mock_server.config import MockSettings
from mock_server.errors import Invalid
from mock_server.events import LIMIT_THRESHOLD, ThresholdEngine, build_payload
from mock_server.extensions import Extension
from mock_server.handlers import one_of_aliases
from mock_server.models import Scope, ScopeState
from mock_server.request_parsing import Call
from mock_server.routing import Reply
from mock_server.runtime import MockRuntime
from mock_server.webhook_endpoints import (
    DEFAULT_WARNING_THRESHOLD,
    TEST_EVENT_TYPE,
    EndpointRegistry,
    InvalidWebhookConfig,
    WebhookEndpoint,
    check_secret,
    check_threshold,
    check_webhook_url,
)
from mock_server.webhooks import DeliveryPolicy, WebhookDispatcher, WebhookEvent, new_event_id

logger = logging.getLogger("kms_mock")

ENDPOINTS_KEY = "webhook_registry"
# Seconds that in-flight deliveries get to finish when the server stops.
SHUTDOWN_GRACE_SECONDS = 2.0


def webhook_extension(settings: MockSettings) -> Extension:
    """Build the extension that makes the mock deliver webhooks."""
    return Extension(
        name="webhooks",
        handlers={"configureWebhook": configure_webhook, "testWebhook": test_webhook},
        control_handlers={"listDeliveries": list_deliveries},
        install=install_webhooks,
        startup=start_dispatcher,
        shutdown=stop_dispatcher,
    )


def install_webhooks(_app: FastAPI, runtime: MockRuntime) -> None:
    """Create the registry, dispatcher and engine of one app and subscribe the engine to its store."""
    settings = runtime.settings
    policy = DeliveryPolicy(
        retry_delays=tuple(settings.webhook_retry_schedule),
        allowed_hosts=tuple(settings.webhook_allowed_hosts),
    )
    # NOTE: endpoints are kept in memory only, so a restart with --state-file restores the
    # organizations but loses the webhook endpoints.
    endpoints = EndpointRegistry()
    dispatcher = WebhookDispatcher(policy)
    engine = ThresholdEngine(endpoints, dispatcher.submit, spend_available=lambda: _spend_available(runtime))
    runtime.extras[ENDPOINTS_KEY] = endpoints
    runtime.dispatcher = dispatcher
    runtime.events = engine
    runtime.store.subscribe(engine.on_change)
    runtime.state_sections["webhooks"] = lambda: [endpoint.public_view() for endpoint in endpoints.all()]
    runtime.reset_hooks.append(lambda: _reset(endpoints, engine, dispatcher))


def _spend_available(runtime: MockRuntime) -> bool:
    # Read the fault slot on every call, because faults are installed separately and change at run time.
    faults = runtime.faults
    return faults is None or bool(faults.spend_available())


def _reset(endpoints: EndpointRegistry, engine: ThresholdEngine, dispatcher: WebhookDispatcher) -> None:
    endpoints.clear()
    engine.reset()
    dispatcher.log.clear()


async def start_dispatcher(runtime: MockRuntime) -> None:
    runtime.dispatcher.bind_loop(asyncio.get_running_loop())


async def stop_dispatcher(runtime: MockRuntime) -> None:
    await runtime.dispatcher.aclose(SHUTDOWN_GRACE_SECONDS)


def registry_of(runtime: MockRuntime) -> EndpointRegistry:
    registry: EndpointRegistry = runtime.extras[ENDPOINTS_KEY]
    return registry


# ---------------------------------------------------------------- handlers


def configure_webhook(call: Call) -> Reply:
    """Register one more endpoint, or raise a 422 for a URL, secret or threshold the mock cannot use."""
    body = call.body
    try:
        url = check_webhook_url(body["url"], call.runtime.settings.webhook_allowed_hosts)
        secret = check_secret(body["secret"])
        threshold = check_threshold(_threshold(body.get("warning_threshold", DEFAULT_WARNING_THRESHOLD)))
    except InvalidWebhookConfig as error:
        raise Invalid(("body", error.field_name), error.message, error.value) from None
    endpoint = registry_of(call.runtime).add(url, body["events"], secret, threshold)
    return Reply(201, endpoint.public_view())


def _threshold(value: Any) -> Decimal:
    try:
        # Numbers arrive as Decimal because the JSON parser uses parse_float=Decimal. Strings parse exactly.
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise InvalidWebhookConfig(
            "warning_threshold", f"invalid warning_threshold {value!r}: use a fraction such as 0.8", value
        ) from None


def test_webhook(call: Call) -> Reply:
    """Queue one event for the organization to every matching endpoint, or raise 404 if it is unknown."""
    field = one_of_aliases(call.body, "c_organization_id", "organization_id")
    organization_id = call.body[field]
    store = call.runtime.store
    store.get_organization(organization_id)
    spend = store.spend_organization(organization_id)
    state = ScopeState(Scope.ORGANIZATION, organization_id, None, None, spend.spend, spend.quota)
    event_type = call.body["event_type"]
    endpoints = registry_of(call.runtime).subscribed_to(event_type)
    event_id = new_event_id()
    occurred_at = datetime.now(timezone.utc)
    for endpoint in endpoints:
        threshold = _test_threshold(event_type, endpoint)
        payload = build_payload(event_id, event_type, state, threshold, occurred_at)
        call.runtime.dispatcher.submit(WebhookEvent(event_id, event_type, payload), endpoint)
    logger.info("webhook test event %s (%s) queued for %d endpoints", event_id, event_type, len(endpoints))
    return Reply(202, {"event_id": event_id, "endpoints": len(endpoints)})


def _test_threshold(event_type: str, endpoint: WebhookEndpoint) -> Decimal | None:
    if event_type == TEST_EVENT_TYPE:
        return None
    if event_type == "quota_warning":
        return endpoint.warning_threshold
    return LIMIT_THRESHOLD


def list_deliveries(call: Call) -> Reply:
    """Return every logged attempt, oldest first, optionally only those of one event."""
    event_id = call.query.get("event_id")
    entries = call.runtime.dispatcher.log.entries()
    if event_id is not None:
        entries = [entry for entry in entries if entry.event_id == event_id]
    return Reply(200, [entry.as_dict() for entry in entries])
