"""The live profile: proposed operations respond exactly as unknown routes do on FastAPI."""

from __future__ import annotations

import re
from typing import Any

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


GENERATED_FIELDS = {
    "id",
    "key_id",
    "l_team_id",
    "l_user_id",
    "litellm_key",
    "created_at",
    "updated_at",
    "spend_as_of",
}


def without_generated(value: Any) -> Any:
    """Blank out server-generated ids and timestamps, which differ between two mocks."""
    if isinstance(value, list):
        return [without_generated(item) for item in value]
    if isinstance(value, dict):
        return {
            name: "*" if name in GENERATED_FIELDS else without_generated(item) for name, item in value.items()
        }
    return value


def live_session(client: TestClient) -> list[tuple[str, int, Any]]:
    """Call every live operation, with usage in between; return (operation, status, body) for each."""
    calls: list[tuple[str, int, Any]] = []

    def call(operation_id: str, method: str, path: str, **kwargs: Any) -> Any:
        response = client.request(method, path, **kwargs)
        calls.append((operation_id, response.status_code, without_generated(response.json())))
        return response.json()

    call("createOrganization", "POST", "/organizations/", json={"c_organization_id": "acme", "quota": "100"})
    call(
        "createTeam",
        "POST",
        "/teams/",
        json={"c_organization_id": "acme", "c_team_id": "research", "quota": 40},
    )
    body = {
        "c_organization_id": "acme",
        "key_type": "TEAM_USER",
        "c_team_id": "research",
        "c_user_id": "alice",
    }
    key = call("createKey", "POST", "/keys/", json={**body, "quota": "10.50"})
    call(
        "createKey",
        "POST",
        "/keys/",
        json={"c_organization_id": "acme", "key_type": "USER", "c_user_id": "bob", "quota": 5},
    )
    client.post("/_mock/usage", json={"key_id": key["key_id"], "amount": "12.25"})
    call("updateKey", "PUT", f"/keys/{key['key_id']}", json={"quota": "20"})
    call("listOrganizations", "GET", "/organizations/")
    call("listTeams", "GET", "/teams/", params={"c_organization_id": "acme"})
    call("listKeys", "GET", "/keys/", params={"c_organization_id": "acme", "c_team_id": "research"})
    call("getOrganizationSpend", "GET", "/spend/org/acme")
    call("getTeamSpend", "GET", "/spend/team/research")
    call("getTeamUserSpend", "GET", "/spend/team-user/research/alice")
    call("getUserSpend", "GET", "/spend/user/bob")
    call("getOrganizationSpend", "GET", "/spend/org/ghost")
    return calls


def test_live_session_covers_every_live_operation(live_kms: TestClient) -> None:
    called = {operation_id for operation_id, _status, _body in live_session(live_kms)}

    assert called == {op.operation_id for op in LIVE}


def test_live_operations_same_in_both_profiles(live_kms: TestClient) -> None:
    with strict_client() as extended:
        expected = live_session(extended)

    received = live_session(live_kms)

    assert received == expected


def test_live_duplicate_create_conflicts(live_kms: TestClient) -> None:
    body = {"c_organization_id": "acme", "quota": "5"}
    live_kms.post("/organizations/", json=body)

    response = live_kms.post("/organizations/", json=body)

    assert response.status_code == 409, response.text
    assert "acme" in response.json()["detail"]


def test_live_document_titled_as_subset(live_kms: TestClient) -> None:
    info = live_kms.get("/openapi.json").json()["info"]

    assert "live subset" in info["title"]
    assert "extended contract" not in info["title"]
    assert "live subset" in info["description"]
    assert "extended contract" not in info["description"]


def test_extended_document_keeps_spec_title(kms: TestClient) -> None:
    info = kms.get("/openapi.json").json()["info"]

    assert info["title"] == DOCUMENT["info"]["title"]
