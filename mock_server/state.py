"""In-memory indexes and spend aggregates of the store.

Spend reads must cost a few dictionary look-ups whatever the number of keys.
So every scope's spend is kept up to date as keys are added, changed, charged
and removed. The team-user and user scopes have no quota of their own, so their
tallies also sum the quotas of their keys. `State` does no locking and no
validation, because `Store` calls it under its lock after checking every rule.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from mock_server.models import Key, KeyType, Organization, Scope, ScopeState, Team
from mock_server.money import add_money, subtract_money
from mock_server.persistence import IdempotencyRecord

ZERO = Decimal(0)

TeamRef = tuple[str, str]
TeamUserRef = tuple[str, str, str]
UserRef = tuple[str, str]
Ref = TypeVar("Ref", TeamUserRef, UserRef)


@dataclass(frozen=True)
class Tally:
    """Spend, summed key quotas and key count of a scope defined only by its keys."""

    spend: Decimal = ZERO
    quota: Decimal = ZERO
    keys: int = 0

    def plus(self, spend: Decimal, quota: Decimal, keys: int) -> Tally:
        return Tally(add_money(self.spend, spend), add_money(self.quota, quota), self.keys + keys)


class State:
    """All records of one store, with the indexes that keep reads O(1)."""

    def __init__(self) -> None:
        self.organizations: dict[str, Organization] = {}
        self.teams: dict[TeamRef, Team] = {}
        self.keys: dict[str, Key] = {}
        # Insertion-ordered sets (dicts with None values) keep list order stable.
        self.org_teams: dict[str, dict[str, None]] = {}
        self.team_orgs: dict[str, dict[str, None]] = {}
        self.org_keys: dict[str, dict[str, None]] = {}
        self.team_keys: dict[TeamRef, dict[str, None]] = {}
        self.user_orgs: dict[str, dict[str, None]] = {}
        self.l_team_ids: set[str] = set()
        self.l_user_ids: set[str] = set()
        self.key_spend: dict[str, Decimal] = {}
        self.org_spend: dict[str, Decimal] = {}
        # Spend of keys removed with their team. It stays in org_spend because the organization still owes it.
        self.deleted_key_spend: dict[str, Decimal] = {}
        self.team_spend: dict[TeamRef, Decimal] = {}
        self.team_users: dict[TeamUserRef, Tally] = {}
        self.users: dict[UserRef, Tally] = {}
        self.idempotency: dict[str, dict[str, IdempotencyRecord]] = {}
        self.counters: dict[str, int] = {}

    def copy(self) -> State:
        """Return an independent copy; records are immutable, so only containers are copied."""
        duplicate = State()
        for name, value in vars(self).items():
            if _nested(value):
                value = {outer: copy.copy(inner) for outer, inner in value.items()}
            setattr(duplicate, name, copy.copy(value))
        return duplicate

    def next_id(self, kind: str) -> int:
        value = self.counters.get(kind, 0) + 1
        self.counters[kind] = value
        return value

    # Organizations

    def put_organization(self, organization: Organization) -> None:
        org_id = organization.c_organization_id
        if org_id not in self.organizations:
            self.org_spend[org_id] = ZERO
            self.deleted_key_spend[org_id] = ZERO
            self.org_teams[org_id] = {}
            self.org_keys[org_id] = {}
            self.idempotency[org_id] = {}
            self.l_team_ids.add(organization.l_team_id)
        self.organizations[org_id] = organization

    def remove_organization(self, org_id: str) -> None:
        for team_id in list(self.org_teams[org_id]):
            self.remove_team(org_id, team_id)
        for key_id in list(self.org_keys[org_id]):
            self.remove_key(key_id)
        self.l_team_ids.discard(self.organizations[org_id].l_team_id)
        mappings = (
            self.organizations,
            self.org_spend,
            self.deleted_key_spend,
            self.org_teams,
            self.org_keys,
            self.idempotency,
        )
        for mapping in mappings:
            del mapping[org_id]

    def add_deleted_key_spend(self, org_id: str, amount: Decimal) -> None:
        """Count spend of deleted keys towards the organization's spend."""
        self.deleted_key_spend[org_id] = add_money(self.deleted_key_spend[org_id], amount)
        self.org_spend[org_id] = add_money(self.org_spend[org_id], amount)

    # Teams

    def put_team(self, team: Team) -> None:
        ref = (team.c_organization_id, team.c_team_id)
        if ref not in self.teams:
            self.team_spend[ref] = ZERO
            self.team_keys[ref] = {}
            self.org_teams[team.c_organization_id][team.c_team_id] = None
            self.team_orgs.setdefault(team.c_team_id, {})[team.c_organization_id] = None
            self.l_user_ids.add(team.l_user_id)
        self.teams[ref] = team

    def remove_team(self, org_id: str, team_id: str) -> None:
        ref = (org_id, team_id)
        for key_id in list(self.team_keys[ref]):
            self.remove_key(key_id)
        team = self.teams.pop(ref)
        del self.team_spend[ref], self.team_keys[ref], self.org_teams[org_id][team_id]
        _discard(self.team_orgs, team_id, org_id)
        self.l_user_ids.discard(team.l_user_id)

    def delete_team(self, org_id: str, team_id: str) -> None:
        """Remove a team and its keys but keep their spend in the organization's spend.

        The team's spend is the sum over all its keys, because every key with a team
        is charged to the team, so the organization's spend does not change.
        """
        spend = self.team_spend[(org_id, team_id)]
        self.remove_team(org_id, team_id)
        self.add_deleted_key_spend(org_id, spend)

    # Keys

    def add_key(self, key: Key, spend: Decimal) -> None:
        self.keys[key.key_id] = key
        self.key_spend[key.key_id] = ZERO
        self.org_keys[key.c_organization_id][key.key_id] = None
        if key.c_team_id is not None:
            self.team_keys[(key.c_organization_id, key.c_team_id)][key.key_id] = None
        if key.key_type is KeyType.USER:
            assert key.c_user_id is not None
            self.user_orgs.setdefault(key.c_user_id, {})[key.c_organization_id] = None
        self._count_key(key, quota=key.quota, keys=1)
        self.add_spend(key.key_id, spend)

    def replace_key(self, key: Key) -> None:
        """Swap in a changed key; only its quota and timestamps may differ."""
        old = self.keys[key.key_id]
        self.keys[key.key_id] = key
        self._count_key(key, quota=subtract_money(key.quota, old.quota), keys=0)

    def remove_key(self, key_id: str) -> None:
        key = self.keys[key_id]
        self.add_spend(key_id, self.key_spend[key_id].copy_negate())
        self._count_key(key, quota=key.quota.copy_negate(), keys=-1)
        del self.keys[key_id], self.key_spend[key_id], self.org_keys[key.c_organization_id][key_id]
        if key.c_team_id is not None:
            del self.team_keys[(key.c_organization_id, key.c_team_id)][key_id]
        if key.key_type is KeyType.USER:
            assert key.c_user_id is not None
            if (key.c_organization_id, key.c_user_id) not in self.users:
                _discard(self.user_orgs, key.c_user_id, key.c_organization_id)

    def _count_key(self, key: Key, quota: Decimal, keys: int) -> None:
        """Add a key's quota and count to the tally of its team-user or user scope."""
        if key.key_type is KeyType.TEAM_USER:
            _count(self.team_users, _team_user_ref(key), quota, keys)
        elif key.key_type is KeyType.USER:
            _count(self.users, _user_ref(key), quota, keys)

    def add_spend(self, key_id: str, amount: Decimal) -> None:
        """Charge `amount` (negative to take spend back) to a key and every scope above it."""
        key = self.keys[key_id]
        org_id = key.c_organization_id
        self.key_spend[key_id] = add_money(self.key_spend[key_id], amount)
        self.org_spend[org_id] = add_money(self.org_spend[org_id], amount)
        if key.c_team_id is not None:
            ref = (org_id, key.c_team_id)
            self.team_spend[ref] = add_money(self.team_spend[ref], amount)
        if key.key_type is KeyType.TEAM_USER:
            self.team_users[_team_user_ref(key)] = self.team_users[_team_user_ref(key)].plus(amount, ZERO, 0)
        elif key.key_type is KeyType.USER:
            self.users[_user_ref(key)] = self.users[_user_ref(key)].plus(amount, ZERO, 0)

    # Scope states for subscribers

    def organization_state(self, org_id: str) -> ScopeState:
        quota = self.organizations[org_id].quota
        return ScopeState(Scope.ORGANIZATION, org_id, None, None, self.org_spend[org_id], quota)

    def team_state(self, org_id: str, team_id: str) -> ScopeState:
        ref = (org_id, team_id)
        return ScopeState(Scope.TEAM, org_id, team_id, None, self.team_spend[ref], self.teams[ref].quota)

    def key_user_states(self, key: Key) -> list[ScopeState]:
        """Return the team-user or user scope state that a key's quota counts towards."""
        if key.key_type is KeyType.TEAM_USER:
            tally = self.team_users[_team_user_ref(key)]
            return [ScopeState(Scope.TEAM_USER, *_team_user_ref(key), tally.spend, tally.quota)]
        if key.key_type is KeyType.USER:
            tally = self.users[_user_ref(key)]
            org_id, user_id = _user_ref(key)
            return [ScopeState(Scope.USER, org_id, None, user_id, tally.spend, tally.quota)]
        return []

    def key_states(self, key: Key) -> list[ScopeState]:
        """Return the state of every scope that a key's spend counts towards."""
        states = [self.organization_state(key.c_organization_id)]
        if key.c_team_id is not None:
            states.append(self.team_state(key.c_organization_id, key.c_team_id))
        return states + self.key_user_states(key)


def _team_user_ref(key: Key) -> TeamUserRef:
    assert key.c_team_id is not None and key.c_user_id is not None
    return (key.c_organization_id, key.c_team_id, key.c_user_id)


def _user_ref(key: Key) -> UserRef:
    assert key.c_user_id is not None
    return (key.c_organization_id, key.c_user_id)


def _count(tallies: dict[Ref, Tally], ref: Ref, quota: Decimal, keys: int) -> None:
    """Add to a tally, dropping it when its last key goes, so that an empty scope reads as not found."""
    tally = tallies.get(ref, Tally()).plus(ZERO, quota, keys)
    if tally.keys == 0:
        tallies.pop(ref, None)
    else:
        tallies[ref] = tally


def _discard(index: dict[str, dict[str, None]], outer: str, inner: str) -> None:
    members = index.get(outer)
    if members is not None:
        members.pop(inner, None)
        if not members:
            del index[outer]


def _nested(value: object) -> bool:
    """Tell dicts of containers, whose inner containers need copying too, from flat ones."""
    if not isinstance(value, dict) or not value:
        return False
    return isinstance(next(iter(value.values())), (dict, set))
