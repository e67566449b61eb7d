"""The webhook flow end to end: usage and quota changes on the mock, deliveries to a real receiver.

The same flow runs in-process (TestClient) and against `kms-mock` in a
subprocess on a loopback socket; both must deliver the same events.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from fixtures_server import run_kms_mock
from fixtures_testclient import TestClient
from standardwebhooks.webhooks import Webhook
from webhook_app import configure, created, make_app, record_usage, seed_two_teams, wait_for_deliveries
from webhook_receiver import WebhookReceiver

import spec

SECRET = "whsec_" + base64.b64encode(b"flow-test-secret-32-bytes-long!!").decode()
EXPECTED_EVENTS = Counter(
    {
        ("quota_warning", "team", "t1"): 2,
        ("limit_exceeded", "team", "t1"): 1,
        ("quota_warning", "team", "t2"): 1,
    }
)
# After the last expected delivery, wait this long to catch any extra event.
SETTLE_SECONDS = 0.3


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(make_app()) as test_client:
        yield test_client


def run_flow(client: Any, receiver: WebhookReceiver) -> list[dict[str, Any]]:
    """Cross 80 % then 100 % on team t1, add more usage, raise its quota, cross again, then cross on t2."""
    keys = seed_two_teams(client)
    configure(client, receiver.url, SECRET)
    record_usage(client, keys["t1"], "80")
    record_usage(client, keys["t1"], "20")
    record_usage(client, keys["t1"], "5")
    created(client.put("/teams/t1/quota", json={"quota": "200"}))
    record_usage(client, keys["t1"], "60")
    record_usage(client, keys["t2"], "90")
    assert receiver.wait_for(sum(EXPECTED_EVENTS.values()))
    time.sleep(SETTLE_SECONDS)
    return [Webhook(SECRET).verify(request.body, request.headers) for request in receiver.requests]


def event_summary(payloads: list[dict[str, Any]]) -> Counter[tuple[str, str, str]]:
    return Counter((p["type"], p["scope"], p["c_team_id"]) for p in payloads)


def test_flow_fires_each_crossing_once(client: TestClient) -> None:
    with WebhookReceiver() as receiver:
        payloads = run_flow(client, receiver)

    assert event_summary(payloads) == EXPECTED_EVENTS
    assert len({p["event_id"] for p in payloads}) == len(payloads)


def test_flow_payloads_match_headers(client: TestClient) -> None:
    with WebhookReceiver() as receiver:
        payloads = run_flow(client, receiver)

    assert [p["event_id"] for p in payloads] == receiver.event_ids()
    limit = next(p for p in payloads if p["type"] == "limit_exceeded")
    assert (limit["spend"], limit["quota"], limit["remaining"]) == ("100", "100", "0")


def test_delivery_log_matches_receiver(client: TestClient) -> None:
    with WebhookReceiver() as receiver:
        run_flow(client, receiver)
    log = wait_for_deliveries(client, len(receiver.requests))

    assert len(log) == len(receiver.requests)
    assert Counter(entry["event_id"] for entry in log) == Counter(receiver.event_ids())
    assert all(entry["status_code"] == 204 and entry["error"] is None for entry in log)


def test_failing_receiver_gets_retries(client: TestClient) -> None:
    seed_two_teams(client)
    with WebhookReceiver(statuses=[500, 502]) as receiver:
        configure(client, receiver.url, SECRET)
        accepted = created(
            client.post("/webhooks/test", json={"event_type": "test", "c_organization_id": "acme"})
        )
        log = wait_for_deliveries(client, 3)

    assert receiver.event_ids() == [accepted["event_id"]] * 3
    assert len(set(receiver.event_ids())) == 1
    assert [entry["attempt"] for entry in log] == [1, 2, 3]
    assert [entry["status_code"] for entry in log] == [500, 502, 204]


def test_deliveries_filter_by_event(client: TestClient) -> None:
    seed_two_teams(client)
    with WebhookReceiver() as receiver:
        configure(client, receiver.url, SECRET)
        first = created(
            client.post("/webhooks/test", json={"event_type": "test", "c_organization_id": "acme"})
        )
        created(client.post("/webhooks/test", json={"event_type": "test", "c_organization_id": "acme"}))
        wait_for_deliveries(client, 2)

    only_first = client.get("/_mock/webhooks/deliveries", params={"event_id": first["event_id"]}).json()

    assert [entry["event_id"] for entry in only_first] == [first["event_id"]]


@pytest.mark.slow
def test_socket_flow_equals_in_process(client: TestClient) -> None:
    with WebhookReceiver() as receiver:
        in_process = event_summary(run_flow(client, receiver))
    with run_kms_mock(["--webhook-retry-schedule", "0.01,0.02"]) as (base_url, _process):
        with httpx.Client(base_url=base_url, timeout=10.0, trust_env=False) as remote:
            with WebhookReceiver() as receiver:
                on_socket = event_summary(run_flow(remote, receiver))
            log = remote.get("/_mock/webhooks/deliveries").json()

    assert in_process == EXPECTED_EVENTS
    assert on_socket == in_process
    assert len(log) == sum(on_socket.values())


def test_asgi_transport_delivers_without_lifespan() -> None:
    app = make_app()

    async def run(receiver: WebhookReceiver) -> dict[str, Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock.test") as http:
            await http.post("/organizations/", json={"c_organization_id": "acme", "quota": "10"})
            body = {"url": receiver.url, "events": ["quota_warning"], "secret": SECRET}
            await http.post("/webhooks/configure", json=body)
            accepted = await http.post(
                "/webhooks/test", json={"event_type": "test", "c_organization_id": "acme"}
            )
            assert await app.state.runtime.dispatcher.drain(5.0)
            return dict(accepted.json())

    with WebhookReceiver() as receiver:
        accepted = asyncio.run(run(receiver))

    assert receiver.event_ids() == [accepted["event_id"]]
    Webhook(SECRET).verify(receiver.requests[0].body, receiver.requests[0].headers)


def test_shutdown_cancels_pending_retries() -> None:
    app = make_app(webhook_retry_schedule=(30.0,))
    with WebhookReceiver(default_status=500) as receiver:
        with TestClient(app) as client:
            seed_two_teams(client)
            configure(client, receiver.url, SECRET)
            created(client.post("/webhooks/test", json={"event_type": "test", "c_organization_id": "acme"}))
            wait_for_deliveries(client, 1)
            started = time.monotonic()
        stopped_after = time.monotonic() - started

    assert stopped_after < 5.0
    assert app.state.runtime.dispatcher.pending() == 0
    assert len(receiver.requests) == 1


def test_payloads_match_spec_schema(client: TestClient) -> None:
    document = spec.load_spec()
    schema = {"$ref": "#/components/schemas/WebhookEvent", "components": document["components"]}
    validator = jsonschema.Draft202012Validator(schema)
    with WebhookReceiver() as receiver:
        payloads = run_flow(client, receiver)
        created(client.post("/webhooks/test", json={"event_type": "test", "c_organization_id": "acme"}))
        assert receiver.wait_for(len(payloads) + 1)
    test_payload = json.loads(receiver.requests[-1].body)

    for payload in [*payloads, test_payload]:
        assert list(validator.iter_errors(payload)) == [], payload
    assert test_payload["threshold"] is None
    assert list(validator.iter_errors({**test_payload, "spend": 12.5})) != []
