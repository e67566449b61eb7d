"""Store rules seen through the strict mock app: statuses the spec must document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fixtures_testclient import TestClient

MakeOrg = Callable[..., dict[str, Any]]

INCREMENTS = "/organizations/acme/quota/increments"
MAX_MONEY = "999999999999999999"


def increment(client: TestClient, amount: str, idempotency_key: str) -> Any:
    return client.post(INCREMENTS, json={"amount": amount}, headers={"Idempotency-Key": idempotency_key})


def test_reused_idempotency_key_answers_409(kms: TestClient, make_org: MakeOrg) -> None:
    make_org("acme", "100")
    first = increment(kms, "10", "recharge-1")

    second = increment(kms, "20", "recharge-1")

    assert first.status_code == 200, first.text
    assert second.status_code == 409, second.text
    assert "already used with amount '10'" in second.json()["detail"]
    assert kms.get("/organizations/acme").json()["quota"] == "110"


def test_increment_past_bound_answers_409(kms: TestClient, make_org: MakeOrg) -> None:
    # The body is valid on its own; only the current quota makes it unacceptable.
    make_org("acme", MAX_MONEY)

    response = increment(kms, MAX_MONEY, "recharge-1")

    assert response.status_code == 409, response.text
    assert "1999999999999999998" in response.json()["detail"]
    assert kms.get("/organizations/acme").json()["quota"] == MAX_MONEY


def test_usage_past_bound_answers_409(kms: TestClient, make_org: MakeOrg) -> None:
    make_org("acme", "100")
    key = kms.post("/keys/", json={"c_organization_id": "acme", "key_type": "ORG", "quota": "10"}).json()
    first = kms.post("/_mock/usage", json={"key_id": key["key_id"], "amount": MAX_MONEY})

    second = kms.post("/_mock/usage", json={"key_id": key["key_id"], "amount": "1"})

    assert first.status_code == 200, first.text
    assert second.status_code == 409, second.text
    assert "10^18" in second.json()["detail"]
    assert kms.get("/spend/org/acme").json()["spend"] == MAX_MONEY


def test_team_delete_keeps_organization_spend(kms: TestClient, make_org: MakeOrg) -> None:
    make_org("acme", "100")
    kms.post("/teams/", json={"c_organization_id": "acme", "c_team_id": "research", "quota": "50"})
    body = {"c_organization_id": "acme", "c_team_id": "research", "key_type": "TEAM_ALL", "quota": "10"}
    key = kms.post("/keys/", json=body).json()
    kms.post("/_mock/usage", json={"key_id": key["key_id"], "amount": "40"})

    deleted = kms.delete("/teams/research", params={"c_organization_id": "acme"})

    assert deleted.status_code == 204, deleted.text
    spend = kms.get("/spend/org/acme").json()
    assert spend["spend"] == "40"
    assert spend["remaining"] == "60"


def test_state_dump_shows_deleted_key_spend(kms: TestClient, make_org: MakeOrg) -> None:
    make_org("acme", "100")
    kms.post("/teams/", json={"c_organization_id": "acme", "c_team_id": "research", "quota": "50"})
    body = {"c_organization_id": "acme", "c_team_id": "research", "key_type": "TEAM_ALL", "quota": "10"}
    key = kms.post("/keys/", json=body).json()
    kms.post("/_mock/usage", json={"key_id": key["key_id"], "amount": "40"})
    kms.delete("/teams/research", params={"c_organization_id": "acme"})

    state = kms.get("/_mock/state")

    assert state.status_code == 200, state.text
    assert state.json()["deleted_key_spend"] == [{"c_organization_id": "acme", "spend": "40"}]
    assert state.json()["key_spend"] == []
