"""The live profile: proposed operations respond exactly as unknown routes do on FastAPI."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fixtures_kms_app import strict_client
from fixtures_testclient import TestClient

import spec

DOCUMENT = spec.load_spec()
LIVE = [op for op in spec.operations(DOCUMENT) if op.availability == "live"]
NOT_LIVE = [op for op in spec.operations(DOCUMENT) if op.availability != "live"]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def bare_fastapi_with_live_routes() -> FastAPI:
    """What the live KMS is, as far as routing goes: FastAPI with only the live paths."""
    app = FastAPI()
    for op in LIVE:
        app.add_api_route(op.path, lambda: {}, methods=[op.method], name=op.operation_id)
    return app


@pytest.fixture(scope="module")
def reference() -> TestClient:
    return TestClient(bare_fastapi_with_live_routes())


@pytest.mark.parametrize("operation", NOT_LIVE, ids=lambda op: op.operation_id)
def test_not_live_operation_answers_like_fastapi(
    live_kms: TestClient, reference: TestClient, operation: spec.Operation
) -> None:
    path = concrete(operation.path)
    expected = reference.request(operation.method, path, json={}, follow_redirects=False)

    received = live_kms.request(operation.method, path, json={}, follow_redirects=False)

    assert received.status_code == expected.status_code, received.text
    assert received.json() == expected.json()
    assert received.headers.get("allow") == expected.headers.get("allow")


def test_not_live_operations_exist() -> None:
    assert {op.operation_id for op in NOT_LIVE} >= {"getOrganization", "deleteOrganization", "getHealth"}


def test_live_operation_same_in_both_profiles(live_kms: TestClient) -> None:
    with strict_client() as extended:
        for client in (live_kms, extended):
            created = client.post("/organizations/", json={"c_organization_id": "acme", "quota": "5"})
            assert created.status_code == 201, created.text
        live_spend = live_kms.get("/spend/org/acme").json()
        extended_spend = extended.get("/spend/org/acme").json()

    live_spend.pop("spend_as_of")
    extended_spend.pop("spend_as_of")
    assert live_spend == extended_spend


def test_live_duplicate_create_conflicts(live_kms: TestClient) -> None:
    body = {"c_organization_id": "acme", "quota": "5"}
    live_kms.post("/organizations/", json=body)

    response = live_kms.post("/organizations/", json=body)

    assert response.status_code == 409, response.text
    assert "acme" in response.json()["detail"]
