"""Spend reads stay dictionary look-ups when the store contains 100,000 keys."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

import pytest

from mock_server.store import Store

KEYS = 100_000
TEAMS = 100
USERS = 1_000


def fastest_of(repeats: int, reads: int, read: Callable[[], object]) -> float:
    """Return the best time of `repeats` runs of `reads` calls; the minimum filters out scheduler noise."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(reads):
            read()
        best = min(best, time.perf_counter() - started)
    return best


def populated(keys: int) -> Store:
    store = Store()
    store.create_organization("acme", "1000000")
    for team in range(TEAMS):
        store.create_team("acme", f"t{team}", "1000")
    document = {
        "keys": [
            {
                "c_organization_id": "acme",
                "key_type": "TEAM_USER",
                "c_team_id": f"t{index % TEAMS}",
                "c_user_id": f"u{index % USERS}",
                "quota": "1",
                "key_id": f"k{index}",
            }
            for index in range(keys)
        ],
        "usage": [{"key_id": f"k{index}", "amount": "0.01"} for index in range(keys)],
    }
    store.load_fixtures(document)
    return store


def read_all_scopes(store: Store) -> Callable[[], object]:
    def read() -> object:
        store.spend_organization("acme")
        store.spend_team("t5")
        return store.spend_team_user("t5", "u5")

    return read


@pytest.mark.slow
def test_spend_reads_independent_of_key_count() -> None:
    small = populated(TEAMS)
    large = populated(KEYS)

    small_time = fastest_of(5, 500, read_all_scopes(small))
    large_time = fastest_of(5, 500, read_all_scopes(large))

    # A scan of the keys would make each read thousands of times slower at this size.
    assert large_time < small_time * 20, f"{large_time:.4f}s for 100,000 keys vs {small_time:.4f}s for 100"
    assert large.spend_organization("acme").spend == Decimal("1000.00")
    assert large.spend_team("t5").spend == Decimal("10.00")
    assert large.spend_team_user("t5", "u5").spend == Decimal("1.00")
