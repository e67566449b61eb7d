"""Strict mode on the real app, and the extension registration point."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fixtures_testclient import TestClient

from mock_server.app import create_app
from mock_server.config import MockSettings
from mock_server.extensions import Extension
from mock_server.request_parsing import Call
from mock_server.routing import OPERATION_ID_KEY, Reply, operation_id_for


def broken_health(call: Call) -> Reply:
    return Reply(200, {"status": "fine", "version": "0.1.0", "checks": {}})


def client_with(extension: Extension, strict: bool) -> TestClient:
    app = create_app(MockSettings(strict=strict), extensions=[extension])
    return TestClient(app, raise_server_exceptions=False)


def test_strict_mismatch_is_500_naming_rule(caplog: pytest.LogCaptureFixture) -> None:
    extension = Extension(name="broken", handlers={"getHealth": broken_health})

    with caplog.at_level(logging.ERROR, logger="kms_mock"), client_with(extension, strict=True) as client:
        response = client.get("/health")

    assert response.status_code == 500
    assert "getHealth" in response.json()["detail"]
    assert "#/components/schemas/Health" in response.json()["detail"]
    assert any("getHealth" in record.getMessage() for record in caplog.records)


def test_lenient_mode_passes_mismatch_through() -> None:
    extension = Extension(name="broken", handlers={"getHealth": broken_health})

    with client_with(extension, strict=False) as client:
        response = client.get("/health")

    assert response.status_code == 200
    assert response.json()["status"] == "fine"


def test_extension_hooks_run_in_order() -> None:
    events: list[str] = []

    async def started(_runtime: object) -> None:
        events.append("startup")

    async def stopped(_runtime: object) -> None:
        events.append("shutdown")

    extension = Extension(
        name="probe",
        install=lambda app, runtime: events.append("install"),
        startup=started,
        shutdown=stopped,
    )
    with client_with(extension, strict=True) as client:
        client.get("/health")

    assert events == ["install", "startup", "shutdown"]


def test_operation_id_resolved_before_routing() -> None:
    app = create_app(MockSettings())
    scope = {"type": "http", "method": "GET", "path": "/spend/team-user/t/u", "root_path": ""}

    assert operation_id_for(app.router.routes, scope) == "getTeamUserSpend"
    assert operation_id_for(app.router.routes, {**scope, "path": "/nowhere"}) is None


class OperationRecorder:
    """An ASGI middleware that records the operationId the routed request carried."""

    seen: list[str] = []

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            OperationRecorder.seen.append(str(scope.get(OPERATION_ID_KEY)))


def test_operation_id_stored_in_scope() -> None:
    OperationRecorder.seen = []
    extension = Extension(name="recorder", install=lambda app, runtime: app.add_middleware(OperationRecorder))

    with client_with(extension, strict=True) as client:
        client.get("/health")

    assert OperationRecorder.seen == ["getHealth"]
