"""Write-through persistence of the store in a SQLite file.

The store's dictionaries stay the source of truth for reads, so the database is
only written, inside the store's lock, and read once at start. WAL mode with
`synchronous=NORMAL` makes each commit survive a crash of the process (not a
power cut) without an fsync per write. Money is stored as TEXT decimal strings
so that no value passes through a float.

The file is opened in SQLite's exclusive locking mode, because a second
process writing the same file would make this process's memory stale. So no
other program can read the file while the mock runs.

Loading parses every row strictly, so a hand-edited or damaged file fails at
start with a `StateFileError` that names the table and row, never a traceback.
An older file is upgraded in place through `_MIGRATIONS`.

`MemoryBackend` has the same methods and stores nothing. The store uses it when
no state file is given, so the write path needs no special cases.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Callable, Container, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Protocol, TypeVar

from mock_server.errors import Invalid, StateFileError
from mock_server.models import Key, Organization, Team
from mock_server.money import MONEY_STRING_PATTERN, format_money
from mock_server.rules import check_key_fields

logger = logging.getLogger("kms_mock")

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS organizations (
    id INTEGER PRIMARY KEY, c_organization_id TEXT NOT NULL UNIQUE, l_team_id TEXT NOT NULL,
    quota TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS teams (
    id INTEGER PRIMARY KEY, c_organization_id TEXT NOT NULL, c_team_id TEXT NOT NULL,
    l_team_id TEXT NOT NULL, l_user_id TEXT NOT NULL, quota TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
    UNIQUE (c_organization_id, c_team_id));
CREATE TABLE IF NOT EXISTS keys (
    id INTEGER PRIMARY KEY, key_id TEXT NOT NULL UNIQUE, c_organization_id TEXT NOT NULL,
    c_team_id TEXT, c_user_id TEXT, key_type TEXT NOT NULL, quota TEXT NOT NULL,
    litellm_key TEXT NOT NULL, spend TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    c_organization_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, amount TEXT NOT NULL,
    organization TEXT NOT NULL, PRIMARY KEY (c_organization_id, idempotency_key));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS deleted_key_spend (c_organization_id TEXT PRIMARY KEY, spend TEXT NOT NULL);
"""

# SQL that upgrades a file from the version in the key to the next one.
_MIGRATIONS = {
    1: "CREATE TABLE deleted_key_spend (c_organization_id TEXT PRIMARY KEY, spend TEXT NOT NULL);",
}

# How long opening waits for another process to release the file before giving up.
_LOCK_TIMEOUT_SECONDS = 1.0

_TABLES = {"schema_version", "organizations", "teams", "keys", "idempotency", "counters", "deleted_key_spend"}

# Money columns hold what format_money wrote. The digit bound of requests is not applied,
# because spend written by an older kms-mock may exceed it.
_STORED_MONEY = re.compile(MONEY_STRING_PATTERN)
# How much of a bad row an error message shows.
_ROW_TEXT_LIMIT = 200

Record = TypeVar("Record")


@dataclass
class IdempotencyRecord:
    """The first result of an increment, replayed for a repeated Idempotency-Key."""

    c_organization_id: str
    idempotency_key: str
    amount: Decimal
    organization: Organization


@dataclass
class StoredState:
    """Everything read back from a state file, each list in creation order."""

    organizations: list[Organization] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    keys: list[tuple[Key, Decimal]] = field(default_factory=list)
    idempotency: list[IdempotencyRecord] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    deleted_key_spend: dict[str, Decimal] = field(default_factory=dict)


class Backend(Protocol):
    """Storage that the store writes through to, either `SqliteBackend` or `MemoryBackend`."""

    def transaction(self) -> AbstractContextManager[None]: ...
    def load(self) -> StoredState: ...
    def save_organization(self, organization: Organization) -> None: ...
    def delete_organization(self, c_organization_id: str) -> None: ...
    def save_team(self, team: Team) -> None: ...
    def delete_team(self, c_organization_id: str, c_team_id: str) -> None: ...
    def save_key(self, key: Key, spend: Decimal) -> None: ...
    def save_key_spend(self, key_id: str, spend: Decimal) -> None: ...
    def save_idempotency(self, record: IdempotencyRecord) -> None: ...
    def save_counter(self, name: str, value: int) -> None: ...
    def save_deleted_key_spend(self, c_organization_id: str, spend: Decimal) -> None: ...
    def clear(self) -> None: ...
    def close(self) -> None: ...


class MemoryBackend:
    """A backend that keeps nothing, for a store without a state file."""

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def load(self) -> StoredState:
        return StoredState()

    def save_organization(self, organization: Organization) -> None:
        pass

    def delete_organization(self, c_organization_id: str) -> None:
        pass

    def save_team(self, team: Team) -> None:
        pass

    def delete_team(self, c_organization_id: str, c_team_id: str) -> None:
        pass

    def save_key(self, key: Key, spend: Decimal) -> None:
        pass

    def save_key_spend(self, key_id: str, spend: Decimal) -> None:
        pass

    def save_idempotency(self, record: IdempotencyRecord) -> None:
        pass

    def save_counter(self, name: str, value: int) -> None:
        pass

    def save_deleted_key_spend(self, c_organization_id: str, spend: Decimal) -> None:
        pass

    def clear(self) -> None:
        pass

    def close(self) -> None:
        pass


class SqliteBackend:
    """Write-through storage in one SQLite file, used only under the store's lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._depth = 0
        self._connection = self._open(path)

    def _open(self, path: Path) -> sqlite3.Connection:
        if path.is_dir():
            raise StateFileError(path, "it is a directory, not a file")
        try:
            # The store's lock serialises every use, so sharing across threads is safe.
            connection = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=_LOCK_TIMEOUT_SECONDS
            )
        except sqlite3.Error as error:
            raise StateFileError(path, f"it cannot be opened ({error})") from error
        try:
            self._prepare(connection)
        except sqlite3.Error as error:
            connection.close()
            raise StateFileError(path, _describe(error)) from error
        except StateFileError:
            connection.close()
            raise
        logger.debug("state file %s opened", path)
        return connection

    def _prepare(self, connection: sqlite3.Connection) -> None:
        # Exclusive locking must be set before the first read, so that SQLite keeps the
        # WAL index in process memory and no second process can open the file.
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and "schema_version" not in tables:
            raise StateFileError(
                self.path, "it is a SQLite database of another program (no schema_version table)"
            )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        if not tables:
            insert_version = f"INSERT INTO schema_version (version) VALUES ({SCHEMA_VERSION});"
            connection.executescript(f"BEGIN;\n{_SCHEMA}\n{insert_version}\nCOMMIT;")
        else:
            self._migrate(connection)
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        self._check_version(connection, tables)
        # Take the write lock now and keep it until close(), rather than at the first write.
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("COMMIT")

    def _migrate(self, connection: sqlite3.Connection) -> None:
        """Upgrade an older state file step by step, each step in its own transaction."""
        version = _version(connection)
        while isinstance(version, int) and version in _MIGRATIONS:
            connection.executescript(
                f"BEGIN;\n{_MIGRATIONS[version]}\nUPDATE schema_version SET version = {version + 1};\nCOMMIT;"
            )
            logger.info(
                "state file %s upgraded from schema version %d to %d", self.path, version, version + 1
            )
            version += 1

    def _check_version(self, connection: sqlite3.Connection, tables: set[str]) -> None:
        version = _version(connection)
        if version != SCHEMA_VERSION:
            raise StateFileError(
                self.path, f"its schema version is {version}, this kms-mock reads version {SCHEMA_VERSION}"
            )
        if tables and not _TABLES <= tables:
            raise StateFileError(self.path, f"tables are missing: {', '.join(sorted(_TABLES - tables))}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes; only the outermost level commits, or rolls back on an exception."""
        outermost = self._depth == 0
        if outermost:
            self._execute("BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if outermost:
                self._rollback()
            raise
        self._depth -= 1
        if outermost:
            self._execute("COMMIT")

    def _rollback(self) -> None:
        try:
            self._connection.execute("ROLLBACK")
        except sqlite3.Error as error:
            logger.error("rollback of state file %s failed: %s", self.path, error)

    def _execute(self, sql: str, parameters: tuple[object, ...] = ()) -> None:
        try:
            self._connection.execute(sql, parameters)
        except sqlite3.Error as error:
            raise StateFileError(self.path, _describe(error)) from error

    def save_organization(self, organization: Organization) -> None:
        self._execute(
            "INSERT OR REPLACE INTO organizations VALUES (?, ?, ?, ?, ?, ?, ?)",
            _organization_row(organization),
        )

    def delete_organization(self, c_organization_id: str) -> None:
        for table in ("keys", "teams", "idempotency", "deleted_key_spend", "organizations"):
            self._execute(f"DELETE FROM {table} WHERE c_organization_id = ?", (c_organization_id,))

    def save_team(self, team: Team) -> None:
        row = (
            team.id,
            team.c_organization_id,
            team.c_team_id,
            team.l_team_id,
            team.l_user_id,
            format_money(team.quota),
            team.created_at.isoformat(),
            team.updated_at.isoformat(),
            team.version,
        )
        self._execute("INSERT OR REPLACE INTO teams VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

    def delete_team(self, c_organization_id: str, c_team_id: str) -> None:
        for table in ("keys", "teams"):
            sql = f"DELETE FROM {table} WHERE c_organization_id = ? AND c_team_id = ?"
            self._execute(sql, (c_organization_id, c_team_id))

    def save_key(self, key: Key, spend: Decimal) -> None:
        row = (
            key.id,
            key.key_id,
            key.c_organization_id,
            key.c_team_id,
            key.c_user_id,
            key.key_type.value,
            format_money(key.quota),
            key.litellm_key,
            format_money(spend),
            key.created_at.isoformat(),
            key.updated_at.isoformat(),
            key.version,
        )
        self._execute("INSERT OR REPLACE INTO keys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

    def save_key_spend(self, key_id: str, spend: Decimal) -> None:
        self._execute("UPDATE keys SET spend = ? WHERE key_id = ?", (format_money(spend), key_id))

    def save_idempotency(self, record: IdempotencyRecord) -> None:
        snapshot = json.dumps(_organization_row(record.organization))
        row = (record.c_organization_id, record.idempotency_key, format_money(record.amount), snapshot)
        self._execute("INSERT OR REPLACE INTO idempotency VALUES (?, ?, ?, ?)", row)

    def save_counter(self, name: str, value: int) -> None:
        self._execute("INSERT OR REPLACE INTO counters VALUES (?, ?)", (name, value))

    def save_deleted_key_spend(self, c_organization_id: str, spend: Decimal) -> None:
        row = (c_organization_id, format_money(spend))
        self._execute("INSERT OR REPLACE INTO deleted_key_spend VALUES (?, ?)", row)

    def clear(self) -> None:
        for table in ("keys", "teams", "idempotency", "deleted_key_spend", "organizations"):
            self._execute(f"DELETE FROM {table}")

    def load(self) -> StoredState:
        try:
            return self._load()
        except sqlite3.Error as error:
            raise StateFileError(self.path, f"its content cannot be read ({error})") from error

    def _load(self) -> StoredState:
        state = StoredState()
        state.organizations = self._read("organizations", "ORDER BY id", _organization)
        org_ids = {organization.c_organization_id for organization in state.organizations}
        state.teams = self._read("teams", "ORDER BY id", lambda row: _team(row, org_ids))
        team_refs = {(team.c_organization_id, team.c_team_id) for team in state.teams}
        state.keys = self._read("keys", "ORDER BY id", lambda row: _key(row, org_ids, team_refs))
        state.idempotency = self._read("idempotency", "", lambda row: _idempotency(row, org_ids))
        state.counters = dict(self._read("counters", "", _counter))
        deleted = self._read("deleted_key_spend", "", lambda row: _deleted_key_spend(row, org_ids))
        state.deleted_key_spend = dict(deleted)
        return state

    def _read(self, table: str, order: str, parse: Callable[[tuple[object, ...]], Record]) -> list[Record]:
        """Parse every row of `table`, raising StateFileError that names the first row that does not parse."""
        records = []
        for rowid, *values in self._connection.execute(f"SELECT rowid, * FROM {table} {order}"):
            try:
                records.append(parse(tuple(values)))
            except (ValueError, TypeError, ArithmeticError, IndexError, Invalid) as error:
                raise StateFileError(self.path, _describe_bad_row(table, rowid, values, error)) from error
        return records

    def close(self) -> None:
        self._connection.close()


def _describe(error: sqlite3.Error) -> str:
    text = str(error)
    if "locked" in text:
        return "another process, such as a second kms-mock, has it open (database is locked)"
    if "not a database" in text:
        return "it is not a SQLite database (file is not a database)"
    if "readonly" in text or "unable to open" in text:
        return f"it is not writable ({text})"
    return text


def _organization_row(organization: Organization) -> tuple[object, ...]:
    return (
        organization.id,
        organization.c_organization_id,
        organization.l_team_id,
        format_money(organization.quota),
        organization.created_at.isoformat(),
        organization.updated_at.isoformat(),
        organization.version,
    )


def _describe_bad_row(table: str, rowid: object, values: list[object], error: Exception) -> str:
    text = repr(tuple(values))
    if len(text) > _ROW_TEXT_LIMIT:
        text = text[:_ROW_TEXT_LIMIT] + "..."
    return (
        f"row {rowid} of table {table!r} is invalid: {error} (row {text}); "
        "restore the file from a backup, or delete it to start with an empty state"
    )


def _version(connection: sqlite3.Connection) -> object:
    row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    return row[0] if row else None


def _text(column: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{column} {value!r} is not text")
    return value


def _optional_text(column: str, value: object) -> str | None:
    return None if value is None else _text(column, value)


def _integer(column: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{column} {value!r} is not an integer")
    return value


def _money(column: str, value: object) -> Decimal:
    if not isinstance(value, str) or not _STORED_MONEY.fullmatch(value):
        raise ValueError(f"{column} {value!r} is not a plain non-negative decimal such as '125.50'")
    return Decimal(value)


def _timestamp(column: str, value: object) -> datetime:
    try:
        moment = datetime.fromisoformat(_text(column, value))
    except ValueError:
        raise ValueError(f"{column} {value!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        raise ValueError(f"{column} {value!r} has no UTC offset")
    return moment


def _check_reference(found: bool, column: str, value: object, table: str) -> None:
    if not found:
        raise ValueError(f"{column} {value!r} has no row in table {table!r}")


def _organization(row: tuple[object, ...]) -> Organization:
    return Organization(
        id=_integer("id", row[0]),
        c_organization_id=_text("c_organization_id", row[1]),
        l_team_id=_text("l_team_id", row[2]),
        quota=_money("quota", row[3]),
        created_at=_timestamp("created_at", row[4]),
        updated_at=_timestamp("updated_at", row[5]),
        version=_integer("version", row[6]),
    )


def _team(row: tuple[object, ...], org_ids: Container[object]) -> Team:
    _check_reference(row[1] in org_ids, "c_organization_id", row[1], "organizations")
    return Team(
        id=_integer("id", row[0]),
        c_organization_id=_text("c_organization_id", row[1]),
        c_team_id=_text("c_team_id", row[2]),
        l_team_id=_text("l_team_id", row[3]),
        l_user_id=_text("l_user_id", row[4]),
        quota=_money("quota", row[5]),
        created_at=_timestamp("created_at", row[6]),
        updated_at=_timestamp("updated_at", row[7]),
        version=_integer("version", row[8]),
    )


def _key(
    row: tuple[object, ...], org_ids: Container[object], team_refs: Container[tuple[object, object]]
) -> tuple[Key, Decimal]:
    _check_reference(row[2] in org_ids, "c_organization_id", row[2], "organizations")
    if row[3] is not None:
        _check_reference((row[2], row[3]) in team_refs, "c_team_id", row[3], "teams")
    key = Key(
        id=_integer("id", row[0]),
        key_id=_text("key_id", row[1]),
        c_organization_id=_text("c_organization_id", row[2]),
        c_team_id=_optional_text("c_team_id", row[3]),
        c_user_id=_optional_text("c_user_id", row[4]),
        key_type=check_key_fields(row[5], row[3], row[4]),
        quota=_money("quota", row[6]),
        litellm_key=_text("litellm_key", row[7]),
        created_at=_timestamp("created_at", row[9]),
        updated_at=_timestamp("updated_at", row[10]),
        version=_integer("version", row[11]),
    )
    return key, _money("spend", row[8])


def _idempotency(row: tuple[object, ...], org_ids: Container[object]) -> IdempotencyRecord:
    _check_reference(row[0] in org_ids, "c_organization_id", row[0], "organizations")
    snapshot = json.loads(_text("organization", row[3]))
    if not isinstance(snapshot, list):
        raise ValueError(f"organization {row[3]!r} is not a JSON array of organization columns")
    return IdempotencyRecord(
        _text("c_organization_id", row[0]),
        _text("idempotency_key", row[1]),
        _money("amount", row[2]),
        _organization(tuple(snapshot)),
    )


def _counter(row: tuple[object, ...]) -> tuple[str, int]:
    return _text("name", row[0]), _integer("value", row[1])


def _deleted_key_spend(row: tuple[object, ...], org_ids: Container[object]) -> tuple[str, Decimal]:
    _check_reference(row[0] in org_ids, "c_organization_id", row[0], "organizations")
    return _text("c_organization_id", row[0]), _money("spend", row[1])
