"""The SQLite state file: write-through, restart, concurrency and broken files."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from store_support import CountingIds, StepClock

from mock_server.errors import StateFileError
from mock_server.fixtures import example_fixture
from mock_server.persistence import SqliteBackend
from mock_server.store import Store


def open_store(path: Path) -> Store:
    return Store(state_file=path, clock=StepClock(), id_factory=CountingIds())


def seeded(path: Path) -> Store:
    store = open_store(path)
    store.create_organization("acme", "1000")
    store.create_team("acme", "research", "400")
    store.create_key("acme", "TEAM_USER", "research", "alice", "50", key_id="k")
    return store


def test_state_survives_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = open_store(path)
    store.load_fixtures(example_fixture())
    store.set_team_quota("support", "123.450")
    store.increment_organization_quota("globex", "1.5", "recharge-1")
    before = store.dump()
    store.close()

    reopened = open_store(path)

    assert reopened.dump() == before
    assert reopened.get_team("support", "acme").to_json()["quota"] == "123.450"
    assert reopened.spend_team_user("research", "alice", "acme").to_json()["spend"] == "12.25"


def test_restart_keeps_etags_and_idempotency(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = seeded(path)
    first, _ = store.increment_organization_quota("acme", "10", "recharge-1")
    store.close()

    reopened = open_store(path)
    replayed, was_replayed = reopened.increment_organization_quota("acme", "10", "recharge-1")

    assert was_replayed is True
    assert replayed == first
    assert reopened.get_organization("acme").etag == first.etag


def test_restart_never_reuses_ids(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = seeded(path)
    old = store.get_organization("acme")
    store.delete_organization("acme")
    store.close()

    reopened = open_store(path)
    new = reopened.create_organization("acme", "1")

    assert new.id > old.id
    assert new.etag != old.etag


def test_deletes_and_reset_persist(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = seeded(path)
    store.create_organization("globex", "1")
    store.delete_team("research")
    store.close()
    reopened = open_store(path)

    assert reopened.list_keys() == []
    assert [org.c_organization_id for org in reopened.list_organizations()] == ["acme", "globex"]
    reopened.reset()
    reopened.close()
    assert open_store(path).list_organizations() == []


def test_file_uses_wal_and_text_money(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = seeded(path)
    store.record_usage("k", Decimal("0.10"))
    store.close()

    connection = sqlite3.connect(path)
    mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    row = connection.execute("SELECT quota, spend, typeof(spend) FROM keys").fetchone()
    version = connection.execute("SELECT version FROM schema_version").fetchone()[0]
    connection.close()

    assert mode == "wal"
    assert row == ("50", "0.10", "text")
    assert version == 2


def test_fifty_threads_lose_no_usage(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = seeded(path)
    barrier = threading.Barrier(50, timeout=10)

    def charge() -> None:
        barrier.wait()
        store.record_usage("k", "0.01")

    threads = [threading.Thread(target=charge) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert not any(thread.is_alive() for thread in threads)
    expected = Decimal("0.50")
    assert store.get_key_spend("k") == expected
    assert store.spend_organization("acme").spend == expected
    assert store.spend_team("research").spend == expected
    assert store.spend_team_user("research", "alice").spend == expected
    before = store.dump()
    store.close()

    reopened = open_store(path)
    assert reopened.spend_organization("acme").spend == expected
    assert reopened.spend_team_user("research", "alice").spend == expected
    assert reopened.dump() == before


def test_second_opener_rejected(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    first = seeded(path)

    with pytest.raises(StateFileError, match="another process") as caught:
        open_store(path)
    first.record_usage("k", "1")
    first.close()

    assert str(path) in str(caught.value)
    assert open_store(path).get_key_spend("k") == Decimal("1")


def test_random_bytes_file_rejected(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(random.Random(7).randbytes(8192))

    with pytest.raises(StateFileError) as caught:
        open_store(path)

    message = str(caught.value)
    assert str(path) in message
    assert "not a SQLite database" in message
    assert "--state-file" in message


def test_directory_path_rejected(tmp_path: Path) -> None:
    with pytest.raises(StateFileError, match="it is a directory") as caught:
        open_store(tmp_path)

    assert caught.value.path == tmp_path


def test_path_under_a_file_rejected(tmp_path: Path) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")

    with pytest.raises(StateFileError, match="cannot be opened|not writable"):
        open_store(blocker / "state.db")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_directory_rejected(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(StateFileError, match="not writable|cannot be opened"):
            open_store(locked / "state.db")
    finally:
        locked.chmod(0o700)


def test_other_program_database_rejected(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE songs (title TEXT)")
    connection.commit()
    connection.close()

    with pytest.raises(StateFileError, match="another program"):
        open_store(path)


def test_newer_schema_version_rejected(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    open_store(path).close()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE schema_version SET version = 99")
    connection.commit()
    connection.close()

    with pytest.raises(StateFileError, match="schema version is 99"):
        open_store(path)


def test_failed_write_leaves_memory_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = seeded(tmp_path / "state.db")

    def fail(self: SqliteBackend, key_id: str, spend: Decimal) -> None:
        raise StateFileError(self.path, "disk full (simulated)")

    monkeypatch.setattr(SqliteBackend, "save_key_spend", fail)

    with pytest.raises(StateFileError, match="disk full"):
        store.record_usage("k", "5")
    assert store.get_key_spend("k") == Decimal("0")
    assert store.spend_organization("acme").spend == Decimal("0")


def test_failed_fixture_load_rolls_back_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = seeded(path)
    document = {
        "organizations": [
            {"c_organization_id": "globex", "quota": "1"},
            {"c_organization_id": "acme", "quota": "1"},
        ]
    }

    with pytest.raises(Exception, match=r"organizations\[1\]"):
        store.load_fixtures(document)
    store.close()

    assert [org.c_organization_id for org in open_store(path).list_organizations()] == ["acme"]


def test_deleted_team_spend_survives_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = seeded(path)
    store.record_usage("k", "7.5")
    store.delete_team("research")
    store.close()

    reopened = open_store(path)

    assert reopened.spend_organization("acme").spend == Decimal("7.5")
    reopened.delete_organization("acme")
    reopened.create_organization("acme", "1000")
    reopened.close()
    assert open_store(path).spend_organization("acme").spend == Decimal("0")


def test_version_one_file_migrated(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    seeded(path).close()
    # A version 1 file is a version 2 file without the deleted_key_spend table.
    connection = sqlite3.connect(path)
    connection.execute("DROP TABLE deleted_key_spend")
    connection.execute("UPDATE schema_version SET version = 1")
    connection.commit()
    connection.close()

    store = open_store(path)
    store.record_usage("k", "3")
    store.delete_team("research")
    store.close()
    reopened = open_store(path)
    spend = reopened.spend_organization("acme").spend
    reopened.close()
    connection = sqlite3.connect(path)
    version = connection.execute("SELECT version FROM schema_version").fetchone()[0]
    connection.close()

    assert spend == Decimal("3")
    assert version == 2


BAD_VALUES = [
    ("organizations", "quota", "'abc'", "quota 'abc'"),
    ("organizations", "created_at", "'yesterday'", "created_at 'yesterday'"),
    ("organizations", "created_at", "'2026-12-04T20:00:00'", "no UTC offset"),
    ("teams", "c_organization_id", "'nowhere'", "c_organization_id 'nowhere' has no row"),
    ("keys", "spend", "'-5'", "spend '-5'"),
    ("keys", "key_type", "'ADMIN'", "key_type must be one of"),
    ("keys", "c_user_id", "NULL", "requires c_user_id"),
    ("keys", "version", "'v2'", "version 'v2' is not an integer"),
    ("counters", "value", "'many'", "value 'many'"),
    ("idempotency", "organization", "'not json'", "table 'idempotency'"),
]


@pytest.mark.parametrize(("table", "column", "value", "reason"), BAD_VALUES)
def test_bad_row_names_file_table_and_row(
    tmp_path: Path, table: str, column: str, value: str, reason: str
) -> None:
    path = tmp_path / "state.db"
    store = seeded(path)
    store.increment_organization_quota("acme", "1", "recharge-1")
    store.close()
    connection = sqlite3.connect(path)
    connection.execute(f"UPDATE {table} SET {column} = {value}")
    connection.commit()
    connection.close()

    with pytest.raises(StateFileError) as caught:
        open_store(path)

    message = str(caught.value)
    assert str(path) in message
    assert f"row 1 of table {table!r}" in message
    assert reason in message
    assert "restore the file from a backup, or delete it" in message


def test_bad_deleted_key_spend_row_rejected(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = seeded(path)
    store.delete_team("research")
    store.close()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE deleted_key_spend SET spend = '1e3'")
    connection.commit()
    connection.close()

    with pytest.raises(StateFileError, match=r"row 1 of table 'deleted_key_spend' is invalid: spend '1e3'"):
        open_store(path)
