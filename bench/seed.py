"""Seed a running mock with organizations, a team, keys and usage before a measurement.

Keys go in through POST /_mock/fixtures in chunks, because 100,000 keys through
POST /keys/ would take longer than the measurement itself, and one fixture
document of that size would pass the mock's 1 MiB body limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

BENCH_ORGANIZATION = "bench-org"
BENCH_TEAM = "bench-team"
ORGANIZATION_QUOTA = "1000000"
KEY_QUOTA = "10"
# Keys per fixture request: about 150 bytes each, so a chunk stays far below 1 MiB.
KEYS_PER_CHUNK = 2000
# Usage is recorded on this many keys of each organization, so spend is not zero.
KEYS_WITH_USAGE = 20
USAGE_AMOUNT = "0.25"
SEED_TIMEOUT_S = 120.0


def key_ids(organization: str, count: int) -> list[str]:
    return [f"{organization}-key-{index}" for index in range(count)]


def key_fixture(organization: str, key_id: str, index: int) -> dict[str, Any]:
    """Build an ORG key fixture, or a TEAM_ALL one on the bench team for every tenth key."""
    on_team = index % 10 == 0
    return {
        "key_id": key_id,
        "c_organization_id": organization,
        "c_team_id": BENCH_TEAM if on_team else None,
        "c_user_id": None,
        "key_type": "TEAM_ALL" if on_team else "ORG",
        "quota": KEY_QUOTA,
    }


def organization_document(organization: str) -> dict[str, Any]:
    return {
        "organizations": [{"c_organization_id": organization, "quota": ORGANIZATION_QUOTA}],
        "teams": [{"c_organization_id": organization, "c_team_id": BENCH_TEAM, "quota": "5000"}],
        "keys": [],
    }


def key_documents(organization: str, count: int) -> Iterator[dict[str, Any]]:
    ids = key_ids(organization, count)
    for start in range(0, count, KEYS_PER_CHUNK):
        chunk = ids[start:start + KEYS_PER_CHUNK]
        keys = [key_fixture(organization, key_id, start + offset) for offset, key_id in enumerate(chunk)]
        yield {"organizations": [], "teams": [], "keys": keys}


def usage_document(organization: str, count: int) -> dict[str, Any]:
    ids = key_ids(organization, min(count, KEYS_WITH_USAGE))
    usage = [{"key_id": key_id, "amount": USAGE_AMOUNT} for key_id in ids]
    return {"organizations": [], "teams": [], "keys": [], "usage": usage}


def post_fixtures(client: httpx.Client, document: dict[str, Any]) -> None:
    response = client.post("/_mock/fixtures", json=document)
    if response.status_code != 200:
        raise RuntimeError(
            f"POST /_mock/fixtures failed with {response.status_code}: {response.text[:500]}"
        )


def seed_organization(base_url: str, organization: str, key_count: int) -> None:
    """Create `organization` with one team and `key_count` keys, then record usage."""
    with httpx.Client(base_url=base_url, timeout=SEED_TIMEOUT_S) as client:
        post_fixtures(client, organization_document(organization))
        for document in key_documents(organization, key_count):
            post_fixtures(client, document)
        post_fixtures(client, usage_document(organization, key_count))
