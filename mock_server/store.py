"""The mock KMS's state and its domain rules.

`Store` checks every rule of the contract (id formats, key types, the mapping of
organizations and teams onto LiteLLM teams and users, team-id ambiguity,
cascading deletes, ETags and idempotent increments) and raises the errors of
`mock_server.errors`. Reads come from the in-memory `State`. Writes take one
`threading.RLock`, write through to the backend inside it and only then change
the memory, so a write that fails leaves both as they were.

Subscribers hear about spend and quota changes after the lock is released, in
the order the changes happened, so a subscriber may read or even write the
store without a deadlock.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import deque
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from mock_server.errors import Conflict, Invalid, KmsError, NotFound, PreconditionFailed, StateFileError
from mock_server.fixtures import FixtureDocument, FixtureError, parse_document
from mock_server.models import Key, Organization, ScopeState, Spend, Team
from mock_server.money import add_money, describe_limit, exceeds_limit, format_money, parse_money
from mock_server.persistence import Backend, IdempotencyRecord, MemoryBackend, SqliteBackend, StoredState
from mock_server.quoting import quote_id
from mock_server.rules import check_c_id, check_key_fields
from mock_server.state import State, Tally

logger = logging.getLogger("kms_mock")

Clock = Callable[[], datetime]
IdFactory = Callable[[str], str]
Subscriber = Callable[[list[ScopeState]], None]

_ID_PREFIXES = {"key_id": "key_", "l_team_id": "lt_", "l_user_id": "lu_", "litellm_key": "sk-"}
_ID_ATTEMPTS = 5


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def generate_id(kind: str) -> str:
    """Make a random server-side id: `kind` is key_id, l_team_id, l_user_id or litellm_key."""
    return _ID_PREFIXES[kind] + secrets.token_urlsafe(18)


class Store:
    """State of one mock KMS, in memory and optionally in a SQLite state file."""

    def __init__(
        self, state_file: Path | None = None, clock: Clock = utc_now, id_factory: IdFactory = generate_id
    ) -> None:
        self._lock = threading.RLock()
        self._notify_lock = threading.RLock()
        self._depth = 0
        self._collected: list[list[ScopeState]] = []
        self._pending: deque[list[ScopeState]] = deque()
        self._subscribers: list[Subscriber] = []
        self._clock = clock
        self._new_id = id_factory
        self._backend: Backend = MemoryBackend() if state_file is None else SqliteBackend(Path(state_file))
        self._state = _rebuild(self._backend.load())

    def close(self) -> None:
        with self._lock:
            self._backend.close()

    def subscribe(self, callback: Subscriber) -> None:
        """Call `callback` with the affected scope states after each spend or quota change.

        The call happens after the change is committed, possibly on the thread of
        another writer that is already delivering earlier batches.
        """
        with self._lock:
            self._subscribers.append(callback)

    def unsubscribe(self, callback: Subscriber) -> None:
        with self._lock:
            self._subscribers.remove(callback)

    def reset(self) -> None:
        """Empty the store. Id counters keep counting, so no ETag is ever reused."""
        with self._writing():
            self._backend.clear()
            counters = self._state.counters
            self._state = State()
            self._state.counters = counters

    # Organizations

    def create_organization(self, c_organization_id: str, quota: object) -> Organization:
        org_id = check_c_id("c_organization_id", c_organization_id)
        amount = _money("quota", quota)
        with self._writing():
            if org_id in self._state.organizations:
                raise Conflict(f"Organization {quote_id(org_id)} already exists")
            l_team_id = self._unique_id("l_team_id", self._state.l_team_ids)
            now = self._clock()
            organization = Organization(self._next_id("organization"), org_id, l_team_id, amount, now, now)
            self._backend.save_organization(organization)
            self._state.put_organization(organization)
        return organization

    def list_organizations(self) -> list[Organization]:
        with self._lock:
            return list(self._state.organizations.values())

    def get_organization(self, c_organization_id: str) -> Organization:
        with self._lock:
            return self._organization(c_organization_id)

    def set_organization_quota(
        self, c_organization_id: str, quota: object, if_match: str | None = None
    ) -> Organization:
        amount = _money("quota", quota)
        with self._writing() as states:
            organization = self._organization(c_organization_id)
            _check_if_match(organization.etag, if_match)
            updated = self._save_organization_quota(organization, amount)
            states.append(self._state.organization_state(c_organization_id))
        return updated

    def increment_organization_quota(
        self, c_organization_id: str, amount: object, idempotency_key: str
    ) -> tuple[Organization, bool]:
        """Add `amount` to the quota once per Idempotency-Key; True in the result means replayed."""
        increment = _money("amount", amount)
        _check_idempotency_key(idempotency_key)
        with self._writing() as states:
            organization = self._organization(c_organization_id)
            record = self._state.idempotency[c_organization_id].get(idempotency_key)
            if record is not None:
                return _replayed(record, increment), True
            quota = add_money(organization.quota, increment)
            _check_limit(quota, f"the quota of organization {quote_id(c_organization_id)}", increment)
            updated = self._save_organization_quota(organization, quota)
            record = IdempotencyRecord(c_organization_id, idempotency_key, increment, updated)
            self._backend.save_idempotency(record)
            self._state.idempotency[c_organization_id][idempotency_key] = record
            states.append(self._state.organization_state(c_organization_id))
        return updated, False

    def delete_organization(self, c_organization_id: str) -> None:
        """Delete an organization with its teams, keys and their spend."""
        with self._writing():
            self._organization(c_organization_id)
            self._backend.delete_organization(c_organization_id)
            self._state.remove_organization(c_organization_id)

    # Teams

    def create_team(self, c_organization_id: str, c_team_id: str, quota: object) -> Team:
        org_id = check_c_id("c_organization_id", c_organization_id)
        team_id = check_c_id("c_team_id", c_team_id)
        amount = _money("quota", quota)
        with self._writing():
            organization = self._organization(org_id)
            if (org_id, team_id) in self._state.teams:
                raise Conflict(f"Team {quote_id(team_id)} already exists in organization {quote_id(org_id)}")
            now = self._clock()
            l_user_id = self._unique_id("l_user_id", self._state.l_user_ids)
            team = Team(
                self._next_id("team"), org_id, team_id, organization.l_team_id, l_user_id, amount, now, now
            )
            self._backend.save_team(team)
            self._state.put_team(team)
        return team

    def list_teams(self, c_organization_id: str | None = None) -> list[Team]:
        with self._lock:
            if c_organization_id is None:
                return list(self._state.teams.values())
            team_ids = self._state.org_teams.get(c_organization_id, {})
            return [self._state.teams[(c_organization_id, team_id)] for team_id in team_ids]

    def get_team(self, c_team_id: str, c_organization_id: str | None = None) -> Team:
        with self._lock:
            return self._team(c_team_id, c_organization_id)

    def set_team_quota(
        self, c_team_id: str, quota: object, c_organization_id: str | None = None, if_match: str | None = None
    ) -> Team:
        amount = _money("quota", quota)
        with self._writing() as states:
            team = self._team(c_team_id, c_organization_id)
            _check_if_match(team.etag, if_match)
            updated = replace(
                team, quota=amount, updated_at=self._later(team.updated_at), version=team.version + 1
            )
            self._backend.save_team(updated)
            self._state.put_team(updated)
            states.append(self._state.team_state(team.c_organization_id, c_team_id))
        return updated

    def delete_team(self, c_team_id: str, c_organization_id: str | None = None) -> None:
        """Delete a team with its keys, keeping their spend in the organization's spend.

        Spend already incurred is money the organization owes, so deleting a team
        must not lower the organization's spend and free quota.
        """
        with self._writing():
            team = self._team(c_team_id, c_organization_id)
            org_id = team.c_organization_id
            deleted_spend = add_money(
                self._state.deleted_key_spend[org_id], self._state.team_spend[(org_id, c_team_id)]
            )
            self._backend.delete_team(org_id, c_team_id)
            self._backend.save_deleted_key_spend(org_id, deleted_spend)
            self._state.delete_team(org_id, c_team_id)

    # Keys

    def create_key(
        self,
        c_organization_id: str,
        key_type: str,
        c_team_id: str | None,
        c_user_id: str | None,
        quota: object,
        key_id: str | None = None,
    ) -> Key:
        """Issue a key; `key_id` fixes the id (fixtures use it), else the server makes one."""
        check_c_id("c_organization_id", c_organization_id)
        kind = check_key_fields(key_type, c_team_id, c_user_id)
        amount = _money("quota", quota)
        with self._writing() as states:
            self._check_key_owner(c_organization_id, c_team_id)
            # Ids that can clash are chosen before the counter moves, so a Conflict skips no number.
            fixed_key_id = self._key_id(key_id)
            litellm_key = self._unique_id("litellm_key", ())
            now = self._clock()
            key = Key(
                self._next_id("key"),
                fixed_key_id,
                c_organization_id,
                c_team_id,
                c_user_id,
                kind,
                amount,
                litellm_key,
                now,
                now,
            )
            self._backend.save_key(key, Decimal(0))
            self._state.add_key(key, Decimal(0))
            states.extend(self._state.key_user_states(key))
        return key

    def list_keys(self, c_organization_id: str | None = None, c_team_id: str | None = None) -> list[Key]:
        with self._lock:
            return [self._state.keys[key_id] for key_id in self._key_ids(c_organization_id, c_team_id)]

    def get_key(self, key_id: str) -> Key:
        with self._lock:
            return self._key(key_id)

    def get_key_spend(self, key_id: str) -> Decimal:
        with self._lock:
            self._key(key_id)
            return self._state.key_spend[key_id]

    def update_key(self, key_id: str, quota: object) -> Key:
        amount = _money("quota", quota)
        with self._writing() as states:
            key = self._key(key_id)
            updated = replace(
                key, quota=amount, updated_at=self._later(key.updated_at), version=key.version + 1
            )
            self._backend.save_key(updated, self._state.key_spend[key_id])
            self._state.replace_key(updated)
            states.extend(self._state.key_user_states(updated))
        return updated

    def record_usage(self, key_id: str, amount: object) -> list[ScopeState]:
        """Charge `amount` to a key; return the new state of every scope above it."""
        charge = _money("amount", amount)
        with self._writing() as states:
            key = self._key(key_id)
            # The organization's spend is the largest sum that this charge raises, so bounding it bounds all.
            org_id = key.c_organization_id
            org_spend = add_money(self._state.org_spend[org_id], charge)
            _check_limit(org_spend, f"the spend of organization {quote_id(org_id)}", charge)
            self._backend.save_key_spend(key_id, add_money(self._state.key_spend[key_id], charge))
            self._state.add_spend(key_id, charge)
            states.extend(self._state.key_states(key))
        return list(states)

    # Spend

    def spend_organization(self, c_organization_id: str) -> Spend:
        with self._lock:
            organization = self._organization(c_organization_id)
            spend = self._state.org_spend[c_organization_id]
        return Spend.available(spend, organization.quota, self._clock())

    def spend_team(self, c_team_id: str, c_organization_id: str | None = None) -> Spend:
        with self._lock:
            team = self._team(c_team_id, c_organization_id)
            spend = self._state.team_spend[(team.c_organization_id, c_team_id)]
        return Spend.available(spend, team.quota, self._clock())

    def spend_team_user(self, c_team_id: str, c_user_id: str, c_organization_id: str | None = None) -> Spend:
        """Spend of one user's TEAM_USER keys in a team; the quota is the sum of theirs."""
        with self._lock:
            team = self._team(c_team_id, c_organization_id)
            tally = self._state.team_users.get((team.c_organization_id, c_team_id, c_user_id))
        if tally is None:
            raise NotFound(
                f"User {quote_id(c_user_id)} has no TEAM_USER keys in team {quote_id(c_team_id)} "
                f"of organization {quote_id(team.c_organization_id)}"
            )
        return Spend.available(tally.spend, tally.quota, self._clock())

    def spend_user(self, c_user_id: str, c_organization_id: str | None = None) -> Spend:
        """Spend of one user's USER keys, in one organization or in all of them."""
        with self._lock:
            tally = self._user_tally(c_user_id, c_organization_id)
        return Spend.available(tally.spend, tally.quota, self._clock())

    # Fixtures and dumps

    def load_fixtures(self, document: object, replace_state: bool = False) -> dict[str, int]:
        """Add the entries of a fixture document, all or none; `replace_state` empties the store first."""
        try:
            parsed = parse_document(document, "request body")
        except FixtureError as error:
            raise Invalid(("body", *error.loc), error.message, error.value) from error
        with self._writing():
            snapshot = self._state.copy()
            try:
                if replace_state:
                    self.reset()
                counts = self._apply_fixtures(parsed)
            except BaseException:
                self._state = snapshot
                raise
        logger.info("fixtures loaded: %s", counts)
        return counts

    def dump(self) -> dict[str, object]:
        """Return every organization, team and key (with its spend) as plain JSON values."""
        with self._lock:
            keys = [
                {**key.to_json(), "spend": format_money(self._state.key_spend[key.key_id])}
                for key in self._state.keys.values()
            ]
            return {
                "organizations": [
                    organization.to_json() for organization in self._state.organizations.values()
                ],
                "teams": [team.to_json() for team in self._state.teams.values()],
                "keys": keys,
                # Spend of deleted keys still counts towards its organization; without it the keys'
                # spend would not add up to the organization's spend.
                "deleted_key_spend": [
                    {"c_organization_id": org_id, "spend": format_money(spend)}
                    for org_id, spend in self._state.deleted_key_spend.items()
                    if not spend.is_zero()
                ],
            }

    # Private helpers: look-ups

    def _organization(self, c_organization_id: str) -> Organization:
        organization = self._state.organizations.get(c_organization_id)
        if organization is None:
            raise NotFound(f"Organization {quote_id(c_organization_id)} not found")
        return organization

    def _team(self, c_team_id: str, c_organization_id: str | None) -> Team:
        if c_organization_id is not None:
            self._organization(c_organization_id)
            team = self._state.teams.get((c_organization_id, c_team_id))
            if team is None:
                raise NotFound(
                    f"Team {quote_id(c_team_id)} not found in organization {quote_id(c_organization_id)}"
                )
            return team
        org_ids = list(self._state.team_orgs.get(c_team_id, {}))
        if not org_ids:
            raise NotFound(f"Team {quote_id(c_team_id)} not found")
        if len(org_ids) > 1:
            listed = ", ".join(repr(org_id) for org_id in org_ids[:5])
            raise Conflict(
                f"Team id {quote_id(c_team_id)} exists in {len(org_ids)} organizations ({listed}); "
                "pass c_organization_id to choose one"
            )
        return self._state.teams[(org_ids[0], c_team_id)]

    def _key(self, key_id: str) -> Key:
        key = self._state.keys.get(key_id)
        if key is None:
            raise NotFound(f"Key {quote_id(key_id)} not found")
        return key

    def _key_ids(self, c_organization_id: str | None, c_team_id: str | None) -> list[str]:
        state = self._state
        if c_organization_id is not None and c_team_id is not None:
            return list(state.team_keys.get((c_organization_id, c_team_id), {}))
        if c_organization_id is not None:
            return list(state.org_keys.get(c_organization_id, {}))
        if c_team_id is not None:
            refs = [(org_id, c_team_id) for org_id in state.team_orgs.get(c_team_id, {})]
            key_ids = [key_id for ref in refs for key_id in state.team_keys[ref]]
            return sorted(key_ids, key=lambda key_id: state.keys[key_id].id)
        return list(state.keys)

    def _user_tally(self, c_user_id: str, c_organization_id: str | None) -> Tally:
        if c_organization_id is not None:
            self._organization(c_organization_id)
            tally = self._state.users.get((c_organization_id, c_user_id))
            if tally is None:
                raise NotFound(
                    f"User {quote_id(c_user_id)} has no USER keys "
                    f"in organization {quote_id(c_organization_id)}"
                )
            return tally
        org_ids = self._state.user_orgs.get(c_user_id, {})
        if not org_ids:
            raise NotFound(f"User {quote_id(c_user_id)} has no USER keys")
        total = Tally()
        for org_id in org_ids:
            tally = self._state.users[(org_id, c_user_id)]
            total = total.plus(tally.spend, tally.quota, tally.keys)
        return total

    def _check_key_owner(self, c_organization_id: str, c_team_id: str | None) -> None:
        self._organization(c_organization_id)
        if c_team_id is not None and (c_organization_id, c_team_id) not in self._state.teams:
            raise NotFound(
                f"Team {quote_id(c_team_id)} not found in organization {quote_id(c_organization_id)}"
            )

    # Private helpers: writes

    @contextmanager
    def _writing(self) -> Iterator[list[ScopeState]]:
        """Hold the lock and a backend transaction; queue the collected states for subscribers."""
        states: list[ScopeState] = []
        with self._lock:
            if self._depth == 0:
                self._collected = []
            self._depth += 1
            try:
                with self._backend.transaction():
                    yield states
                self._collected.append(states)
            except StateFileError:
                if self._depth == 1:
                    self._recover()
                raise
            finally:
                self._depth -= 1
            outermost = self._depth == 0
            if outermost:
                self._pending.extend(batch for batch in self._collected if batch)
        if outermost:
            self._notify()

    def _recover(self) -> None:
        """Re-read the state file after a failed commit, since memory may be ahead of it."""
        logger.error("write to the state file failed; reloading the state from it")
        try:
            self._state = _rebuild(self._backend.load())
        except StateFileError as error:
            logger.error("reloading the state file failed: %s", error)

    def _notify(self) -> None:
        """Deliver queued batches in commit order, unless another thread is already delivering.

        The notify lock keeps batches in order across threads. A writer that finds it
        taken returns at once, because the holder re-checks the queue after releasing
        it, so a slow subscriber delays no other writer. The store lock is held only to
        pop a batch, never while a subscriber runs.
        """
        while self._notify_lock.acquire(blocking=False):
            try:
                self._deliver_pending()
            finally:
                self._notify_lock.release()
            with self._lock:
                if not self._pending:
                    return

    def _deliver_pending(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    return
                batch = self._pending.popleft()
                subscribers = list(self._subscribers)
            for subscriber in subscribers:
                self._call(subscriber, batch)

    @staticmethod
    def _call(subscriber: Subscriber, batch: list[ScopeState]) -> None:
        try:
            subscriber(batch)
        except Exception:
            logger.exception("store subscriber %r failed on %d scope states", subscriber, len(batch))

    def _save_organization_quota(self, organization: Organization, quota: Decimal) -> Organization:
        updated = replace(
            organization,
            quota=quota,
            updated_at=self._later(organization.updated_at),
            version=organization.version + 1,
        )
        self._backend.save_organization(updated)
        self._state.put_organization(updated)
        return updated

    def _next_id(self, kind: str) -> int:
        value = self._state.next_id(kind)
        self._backend.save_counter(kind, value)
        return value

    def _unique_id(self, kind: str, in_use: Container[str]) -> str:
        for _ in range(_ID_ATTEMPTS):
            candidate = self._new_id(kind)
            if candidate not in in_use:
                return candidate
        raise RuntimeError(
            f"the id factory returned only {kind} values already in use in {_ID_ATTEMPTS} attempts; "
            "make it return unique ids"
        )

    def _key_id(self, fixed: str | None) -> str:
        if fixed is None:
            return self._unique_id("key_id", self._state.keys)
        if fixed in self._state.keys:
            raise Conflict(f"Key {quote_id(fixed)} already exists")
        return fixed

    def _later(self, previous: datetime) -> datetime:
        """Return now, but never earlier than `previous`, so updated_at >= created_at holds."""
        return max(self._clock(), previous)

    def _apply_fixtures(self, document: FixtureDocument) -> dict[str, int]:
        for index, organization in enumerate(document.organizations):
            with _located("organizations", index):
                self.create_organization(organization.c_organization_id, organization.quota)
        for index, team in enumerate(document.teams):
            with _located("teams", index):
                self.create_team(team.c_organization_id, team.c_team_id, team.quota)
        for index, key in enumerate(document.keys):
            with _located("keys", index):
                self.create_key(
                    key.c_organization_id, key.key_type, key.c_team_id, key.c_user_id, key.quota, key.key_id
                )
        for index, usage in enumerate(document.usage):
            with _located("usage", index):
                self.record_usage(usage.key_id, usage.amount)
        return document.counts()


def _rebuild(stored: StoredState) -> State:
    """Build the in-memory state, indexes and aggregates from what a backend loaded."""
    state = State()
    for organization in stored.organizations:
        state.put_organization(organization)
    for org_id, spend in stored.deleted_key_spend.items():
        state.add_deleted_key_spend(org_id, spend)
    for team in stored.teams:
        state.put_team(team)
    for key, spend in stored.keys:
        state.add_key(key, spend)
    for record in stored.idempotency:
        state.idempotency[record.c_organization_id][record.idempotency_key] = record
    highest = {
        "organization": max((organization.id for organization in stored.organizations), default=0),
        "team": max((team.id for team in stored.teams), default=0),
        "key": max((key.id for key, _ in stored.keys), default=0),
    }
    for kind, value in highest.items():
        state.counters[kind] = max(value, stored.counters.get(kind, 0))
    return state


@contextmanager
def _located(section: str, index: int) -> Iterator[None]:
    """Prefix a domain error raised for a fixture entry with that entry's place."""
    try:
        yield
    except Invalid as error:
        raise Invalid(("body", section, index, *error.loc[1:]), error.msg, error.value) from error
    except KmsError as error:
        raise type(error)(f"{section}[{index}]: {error.detail}") from error


def _money(field: str, value: object) -> Decimal:
    try:
        return parse_money(value)
    except ValueError as error:
        raise Invalid(("body", field), str(error), value) from error


def _check_limit(total: Decimal, what: str, amount: Decimal) -> None:
    """Reject an amount that would take a stored sum past the money bound of requests.

    The request itself is valid and only the current state makes it unacceptable. So this is a
    409 Conflict rather than a 422, and a client may retry with a smaller amount.
    """
    if exceeds_limit(total):
        raise Conflict(
            f"amount {format_money(amount)} would make {what} {format_money(total)}, but money values "
            f"must stay {describe_limit()}; use a smaller amount"
        )


def _check_idempotency_key(idempotency_key: object) -> None:
    if not isinstance(idempotency_key, str) or not 1 <= len(idempotency_key) <= 128:
        raise Invalid(
            ("header", "Idempotency-Key"),
            f"Idempotency-Key must be 1 to 128 characters, got {quote_id(idempotency_key)}",
            idempotency_key,
        )


def _check_if_match(etag: str, if_match: str | None) -> None:
    """Apply If-Match (RFC 9110 section 13.1.1): `*` or a list of strong tags, one equal to `etag`."""
    if if_match is None:
        return
    candidates = [candidate.strip() for candidate in if_match.split(",")]
    if "*" in candidates or etag in candidates:
        return
    raise PreconditionFailed(
        f"If-Match {quote_id(if_match)} does not match the current ETag {etag}; read the resource again"
    )


def _replayed(record: IdempotencyRecord, increment: Decimal) -> Organization:
    if record.amount != increment:
        raise Conflict(
            f"Idempotency-Key {quote_id(record.idempotency_key)} was already used with amount "
            f"{format_money(record.amount)!r}; use a new key for a different amount"
        )
    return record.organization
