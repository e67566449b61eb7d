"""Concurrent usage records over a real socket lose nothing, before and after a restart."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fixtures_server import run_kms_mock, stop_kms_mock

RECORDS = 50
AMOUNT = "0.01"
SCOPES = ["/spend/org/acme", "/spend/team/research", "/spend/team-user/research/alice"]


def seed(client: httpx.Client) -> str:
    bodies = [
        ("/organizations/", {"c_organization_id": "acme", "quota": "100"}),
        ("/teams/", {"c_organization_id": "acme", "c_team_id": "research", "quota": "10"}),
        (
            "/keys/",
            {
                "c_organization_id": "acme",
                "key_type": "TEAM_USER",
                "c_team_id": "research",
                "c_user_id": "alice",
                "quota": "1",
            },
        ),
    ]
    for path, body in bodies:
        response = client.post(path, json=body)
        assert response.status_code == 201, response.text
    return str(response.json()["key_id"])


def record_concurrently(base_url: str, key_id: str) -> list[int]:
    def record(_index: int) -> int:
        with httpx.Client(base_url=base_url, timeout=10.0) as client:
            return client.post("/_mock/usage", json={"key_id": key_id, "amount": AMOUNT}).status_code

    with ThreadPoolExecutor(max_workers=RECORDS) as pool:
        return list(pool.map(record, range(RECORDS)))


def spends(base_url: str) -> dict[str, str]:
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        return {path: client.get(path).json()["spend"] for path in SCOPES}


@pytest.mark.slow
def test_concurrent_usage_sums_exactly_across_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "state.db"
    args = ["--strict", "--state-file", str(state_file)]

    with run_kms_mock(args) as (base_url, process):
        with httpx.Client(base_url=base_url, timeout=10.0) as client:
            key_id = seed(client)
        statuses = record_concurrently(base_url, key_id)
        before = spends(base_url)
        status, _stderr = stop_kms_mock(process)
    with run_kms_mock(args) as (base_url, _process):
        after = spends(base_url)

    assert statuses == [200] * RECORDS
    assert before == {path: "0.50" for path in SCOPES}
    assert after == before
    assert status == 0
