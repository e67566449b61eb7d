"""Change notifications: which scope states subscribers receive, and when."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from store_support import CountingIds, StepClock

from mock_server.models import Scope, ScopeState
from mock_server.store import Store


@pytest.fixture
def store() -> Store:
    store = Store(clock=StepClock(), id_factory=CountingIds())
    store.create_organization("acme", "100")
    store.create_team("acme", "research", "40")
    return store


def collect(store: Store) -> list[list[ScopeState]]:
    batches: list[list[ScopeState]] = []
    store.subscribe(batches.append)
    return batches


def by_scope(batch: list[ScopeState]) -> dict[Scope, ScopeState]:
    return {state.scope: state for state in batch}


def test_team_user_usage_reaches_three_scopes(store: Store) -> None:
    store.create_key("acme", "TEAM_USER", "research", "alice", "10", key_id="k")
    batches = collect(store)

    store.record_usage("k", "2.5")

    assert len(batches) == 1
    states = by_scope(batches[0])
    assert set(states) == {Scope.ORGANIZATION, Scope.TEAM, Scope.TEAM_USER}
    assert states[Scope.ORGANIZATION] == ScopeState(
        Scope.ORGANIZATION, "acme", None, None, Decimal("2.5"), Decimal("100")
    )
    assert states[Scope.TEAM] == ScopeState(
        Scope.TEAM, "acme", "research", None, Decimal("2.5"), Decimal("40")
    )
    assert states[Scope.TEAM_USER] == ScopeState(
        Scope.TEAM_USER, "acme", "research", "alice", Decimal("2.5"), Decimal("10")
    )


def test_user_usage_reaches_user_scope(store: Store) -> None:
    store.create_key("acme", "USER", None, "bob", "3", key_id="k")
    batches = collect(store)

    store.record_usage("k", "4")

    states = by_scope(batches[0])
    assert set(states) == {Scope.ORGANIZATION, Scope.USER}
    assert states[Scope.USER].ids == ("acme", None, "bob")
    assert states[Scope.USER].remaining == Decimal("-1")


def test_org_key_usage_reaches_organization_only(store: Store) -> None:
    store.create_key("acme", "ORG", None, None, "3", key_id="k")
    batches = collect(store)

    store.record_usage("k", "1")

    assert [state.scope for state in batches[0]] == [Scope.ORGANIZATION]


def test_record_usage_returns_same_states(store: Store) -> None:
    store.create_key("acme", "TEAM_ALL", "research", None, "3", key_id="k")
    batches = collect(store)

    returned = store.record_usage("k", "1")

    assert returned == batches[0]


def test_quota_updates_notify_their_scope(store: Store) -> None:
    batches = collect(store)

    store.set_organization_quota("acme", "150")
    store.set_team_quota("research", "60")
    store.increment_organization_quota("acme", "10", "once")

    assert [[state.scope for state in batch] for batch in batches] == [
        [Scope.ORGANIZATION],
        [Scope.TEAM],
        [Scope.ORGANIZATION],
    ]
    assert batches[0][0].quota == Decimal("150")
    assert batches[1][0].quota == Decimal("60")
    assert batches[2][0].quota == Decimal("160")


def test_key_quota_update_notifies_user_scope(store: Store) -> None:
    store.create_key("acme", "USER", None, "bob", "3", key_id="k")
    batches = collect(store)

    store.update_key("k", "8")

    assert batches == [[ScopeState(Scope.USER, "acme", None, "bob", Decimal("0"), Decimal("8"))]]


def test_replayed_increment_notifies_nothing(store: Store) -> None:
    store.increment_organization_quota("acme", "10", "once")
    batches = collect(store)

    store.increment_organization_quota("acme", "10", "once")

    assert batches == []


def test_failed_write_notifies_nothing(store: Store) -> None:
    batches = collect(store)

    with pytest.raises(Exception):  # noqa: B017 - the kind of error is tested elsewhere
        store.set_organization_quota("nope", "1")

    assert batches == []


def test_fixture_load_notifies_after_commit(store: Store) -> None:
    batches = collect(store)
    document = {
        "keys": [{"c_organization_id": "acme", "key_type": "ORG", "quota": "1", "key_id": "k"}],
        "usage": [{"key_id": "k", "amount": "1"}, {"key_id": "k", "amount": "2"}],
    }

    store.load_fixtures(document)

    assert [batch[0].spend for batch in batches] == [Decimal("1"), Decimal("3")]


def test_failed_fixture_load_notifies_nothing(store: Store) -> None:
    batches = collect(store)
    document = {
        "keys": [{"c_organization_id": "acme", "key_type": "ORG", "quota": "1", "key_id": "k"}],
        "usage": [{"key_id": "k", "amount": "1"}, {"key_id": "ghost", "amount": "2"}],
    }

    with pytest.raises(Exception):  # noqa: B017 - the kind of error is tested with fixtures
        store.load_fixtures(document)

    assert batches == []
    assert store.list_keys() == []


def test_failing_subscriber_does_not_block_others(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    def broken(_: list[ScopeState]) -> None:
        raise RuntimeError("subscriber bug")

    store.subscribe(broken)
    batches = collect(store)

    store.set_organization_quota("acme", "1")

    assert len(batches) == 1
    assert "subscriber" in caplog.text


def test_subscriber_may_read_and_write_store(store: Store) -> None:
    seen: list[Decimal] = []

    def reader(batch: list[ScopeState]) -> None:
        seen.append(store.get_organization("acme").quota)
        if batch[0].quota == Decimal("1"):
            store.set_team_quota("research", "2")

    store.subscribe(reader)
    store.set_organization_quota("acme", "1")

    assert seen == [Decimal("1"), Decimal("1")]
    assert store.get_team("research").quota == Decimal("2")


def test_reading_subscriber_with_concurrent_writers(store: Store) -> None:
    # A subscriber that reads the store while other threads write must not deadlock.
    store.create_key("acme", "TEAM_USER", "research", "alice", "10", key_id="k")
    seen: list[Decimal] = []
    store.subscribe(lambda batch: seen.append(store.spend_organization("acme").spend))
    threads = [threading.Thread(target=store.record_usage, args=("k", "0.01")) for _ in range(20)]

    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert time.monotonic() - started < 10
    assert not any(thread.is_alive() for thread in threads)
    assert len(seen) == 20
    assert store.spend_organization("acme").spend == Decimal("0.20")


def test_batches_arrive_in_commit_order(store: Store) -> None:
    store.create_key("acme", "ORG", None, None, "10", key_id="k")
    spends: list[Decimal] = []
    store.subscribe(lambda batch: spends.append(batch[0].spend))
    threads = [threading.Thread(target=store.record_usage, args=("k", "1")) for _ in range(20)]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert spends == [Decimal(n) for n in range(1, 21)]


def test_slow_subscriber_blocks_no_writer(store: Store) -> None:
    store.create_key("acme", "ORG", None, None, "10", key_id="k")
    entered, release = threading.Event(), threading.Event()
    spends: list[Decimal] = []

    def slow(batch: list[ScopeState]) -> None:
        if not entered.is_set():
            entered.set()
            release.wait(timeout=10)
        spends.append(batch[0].spend)

    store.subscribe(slow)
    first = threading.Thread(target=store.record_usage, args=("k", "1"))
    first.start()
    assert entered.wait(timeout=10)

    started = time.monotonic()
    store.record_usage("k", "2")
    elapsed = time.monotonic() - started
    release.set()
    first.join(timeout=10)

    assert elapsed < 2
    assert not first.is_alive()
    assert spends == [Decimal("1"), Decimal("3")]
