"""The /_mock/ control API: usage, fixtures, state dumps and reset."""

from __future__ import annotations

from pathlib import Path

from fixtures_kms_app import strict_client
from fixtures_testclient import TestClient

FIXTURE = {
    "organizations": [{"c_organization_id": "acme", "quota": "1000.00"}],
    "teams": [{"c_organization_id": "acme", "c_team_id": "research", "quota": "300"}],
    "keys": [
        {
            "key_id": "key_fixture_1",
            "c_organization_id": "acme",
            "key_type": "TEAM_USER",
            "c_team_id": "research",
            "c_user_id": "alice",
            "quota": "50",
        }
    ],
    "usage": [{"key_id": "key_fixture_1", "amount": "12.50"}],
}


def test_fixtures_loaded_with_counts(kms: TestClient) -> None:
    response = kms.post("/_mock/fixtures", json=FIXTURE)

    assert response.status_code == 200, response.text
    assert response.json() == {"organizations": 1, "teams": 1, "keys": 1, "usage": 1}
    assert kms.get("/spend/team-user/research/alice").json()["spend"] == "12.50"


def test_usage_returns_key_spend_and_scopes(kms: TestClient) -> None:
    kms.post("/_mock/fixtures", json=FIXTURE)

    response = kms.post("/_mock/usage", json={"key_id": "key_fixture_1", "amount": "0.25"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["key_id"] == "key_fixture_1"
    assert body["spend"] == "12.75"
    assert {scope["scope"] for scope in body["scopes"]} == {"organization", "team", "team-user"}


def test_usage_of_unknown_key_is_404(kms: TestClient) -> None:
    response = kms.post("/_mock/usage", json={"key_id": "key_missing", "amount": "1"})

    assert response.status_code == 404, response.text
    assert "key_missing" in response.json()["detail"]


def test_state_lists_key_spend(kms: TestClient) -> None:
    kms.post("/_mock/fixtures", json=FIXTURE)

    state = kms.get("/_mock/state").json()

    assert state["key_spend"] == [{"key_id": "key_fixture_1", "spend": "12.50"}]
    assert [team["c_team_id"] for team in state["teams"]] == ["research"]


def test_reset_empties_everything(kms: TestClient) -> None:
    kms.post("/_mock/fixtures", json=FIXTURE)

    response = kms.post("/_mock/reset")
    state = kms.get("/_mock/state").json()

    assert response.status_code == 204
    assert state["organizations"] == []
    assert state["keys"] == []
    assert kms.get("/spend/org/acme").status_code == 404


def test_invalid_fixture_changes_nothing(kms: TestClient) -> None:
    broken = {**FIXTURE, "usage": [{"key_id": "key_other", "amount": "1"}]}

    response = kms.post("/_mock/fixtures", json=broken)

    assert 400 <= response.status_code < 500, response.text
    assert kms.get("/_mock/state").json()["organizations"] == []


def test_start_up_fixture_file_keeps_scale(tmp_path: Path) -> None:
    fixture_file = tmp_path / "fixtures.yaml"
    fixture_file.write_text("organizations:\n  - {c_organization_id: acme, quota: 1.10}\n", encoding="utf-8")

    with strict_client(fixtures=fixture_file) as client:
        spend = client.get("/spend/org/acme").json()

    assert spend["quota"] == "1.10"
