"""The mock KMS with the webhook and fault extensions, and helpers to drive its spend.

Retries are fast (10 ms base) so that retry tests take milliseconds.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI
from fixtures_testclient import TestClient

from mock_server.app import create_app
from mock_server.config import MockSettings
from mock_server.control_faults import fault_extension
from mock_server.control_webhooks import webhook_extension

FAST_SCHEDULE = (0.01, 0.02, 0.04)


def make_app(**settings: Any) -> FastAPI:
    """A strict mock with deliveries and faults installed."""
    chosen = MockSettings(strict=True, webhook_retry_schedule=FAST_SCHEDULE).replace(**settings)
    return create_app(chosen, extensions=[fault_extension(chosen), webhook_extension(chosen)])


def created(response: Any) -> dict[str, Any]:
    """Return the JSON of a 2xx response, or fail with the body."""
    assert 200 <= response.status_code < 300, response.text
    body: dict[str, Any] = response.json()
    return body


def seed_two_teams(client: TestClient | Any) -> dict[str, str]:
    """Create organization acme (quota 1000) with teams t1 and t2 (quota 100 each) and one key per team."""
    created(client.post("/organizations/", json={"c_organization_id": "acme", "quota": "1000"}))
    keys = {}
    for team_id in ("t1", "t2"):
        created(
            client.post("/teams/", json={"c_organization_id": "acme", "c_team_id": team_id, "quota": "100"})
        )
        key = created(
            client.post(
                "/keys/",
                json={
                    "c_organization_id": "acme",
                    "key_type": "TEAM_ALL",
                    "c_team_id": team_id,
                    "quota": "100",
                },
            )
        )
        keys[team_id] = key["key_id"]
    return keys


def record_usage(client: TestClient | Any, key_id: str, amount: str) -> None:
    created(client.post("/_mock/usage", json={"key_id": key_id, "amount": amount}))


def configure(client: TestClient | Any, url: str, secret: str, **extra: Any) -> dict[str, Any]:
    body = {"url": url, "events": ["quota_warning", "limit_exceeded"], "secret": secret, **extra}
    return created(client.post("/webhooks/configure", json=body))


def wait_for_deliveries(
    client: TestClient | Any, count: int, timeout_seconds: float = 5.0
) -> list[dict[str, Any]]:
    """Poll the delivery log until it contains `count` attempts, for at most `timeout_seconds`."""
    deadline = time.monotonic() + timeout_seconds
    entries: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        entries = client.get("/_mock/webhooks/deliveries").json()
        if len(entries) >= count:
            return entries
        time.sleep(0.02)
    raise AssertionError(f"expected {count} delivery attempts within {timeout_seconds} s, got {entries}")
