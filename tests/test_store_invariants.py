"""Property test: incrementally kept spend aggregates equal a recount from the keys."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from mock_server.errors import KmsError, NotFound
from mock_server.models import Key, KeyType, Spend
from mock_server.money import add_money
from mock_server.store import Store

ORGS = st.sampled_from(["o1", "o2"])
TEAMS = st.sampled_from(["t1", "t2"])
USERS = st.sampled_from(["u1", "u2"])
AMOUNTS = st.decimals(
    min_value=Decimal("0.01"), max_value=1000, places=2, allow_nan=False, allow_infinity=False
)


def total(values: list[Decimal]) -> Decimal:
    result = Decimal(0)
    for value in values:
        result = add_money(result, value)
    return result


class StoreMachine(RuleBasedStateMachine):
    """Random creates, quota changes, usage and deletes; every scope is recounted after each step."""

    key_ids = Bundle("key_ids")

    def __init__(self) -> None:
        super().__init__()
        self.store = Store()
        # Spend of keys deleted with their team, per organization: it stays in the organization's spend.
        self.deleted_spend: dict[str, Decimal] = {}

    @rule(org=ORGS, quota=AMOUNTS)
    def create_organization(self, org: str, quota: Decimal) -> None:
        self.attempt(lambda: self.store.create_organization(org, quota))

    @rule(org=ORGS, team=TEAMS, quota=AMOUNTS)
    def create_team(self, org: str, team: str, quota: Decimal) -> None:
        self.attempt(lambda: self.store.create_team(org, team, quota))

    @rule(
        target=key_ids, org=ORGS, kind=st.sampled_from(list(KeyType)), team=TEAMS, user=USERS, quota=AMOUNTS
    )
    def create_key(self, org: str, kind: KeyType, team: str, user: str, quota: Decimal) -> str:
        team_id = team if kind.needs_team else None
        user_id = user if kind.needs_user else None
        # Parents are created on demand, so that most steps reach the key-level rules.
        self.attempt(lambda: self.store.create_organization(org, quota))
        if team_id is not None:
            self.attempt(lambda: self.store.create_team(org, team_id, quota))
        return self.store.create_key(org, kind.value, team_id, user_id, quota).key_id

    # A key id drawn from the bundle may belong to a key deleted since; NotFound is then expected.
    @rule(key_id=key_ids, amount=AMOUNTS)
    def record_usage(self, key_id: str, amount: Decimal) -> None:
        self.attempt(lambda: self.store.record_usage(key_id, amount))

    @rule(key_id=key_ids, quota=AMOUNTS)
    def update_key(self, key_id: str, quota: Decimal) -> None:
        self.attempt(lambda: self.store.update_key(key_id, quota))

    # Deletes go through a key, so that they remove teams and organizations that have keys.
    @rule(key_id=key_ids)
    def delete_team_of_key(self, key_id: str) -> None:
        key = self.existing_key(key_id)
        if key is not None and key.c_team_id is not None:
            org_id = key.c_organization_id
            team_keys = self.store.list_keys(c_organization_id=org_id, c_team_id=key.c_team_id)
            self.deleted_spend[org_id] = add_money(
                self.deleted_spend.get(org_id, Decimal(0)), self.spent(team_keys)
            )
            self.store.delete_team(key.c_team_id, org_id)

    @rule(key_id=key_ids)
    def delete_organization_of_key(self, key_id: str) -> None:
        key = self.existing_key(key_id)
        if key is not None:
            self.store.delete_organization(key.c_organization_id)
            self.deleted_spend.pop(key.c_organization_id, None)

    def existing_key(self, key_id: str) -> Key | None:
        try:
            return self.store.get_key(key_id)
        except NotFound:
            return None

    @staticmethod
    def attempt(action: Callable[[], object]) -> None:
        try:
            action()
        except KmsError:
            pass  # duplicates and unknown parents are valid random choices

    @invariant()
    def organization_spend_matches_recount(self) -> None:
        for organization in self.store.list_organizations():
            keys = self.store.list_keys(c_organization_id=organization.c_organization_id)
            spend = self.store.spend_organization(organization.c_organization_id)
            deleted = self.deleted_spend.get(organization.c_organization_id, Decimal(0))
            assert spend.spend == add_money(self.spent(keys), deleted)
            assert spend.remaining == organization.quota - spend.spend

    @invariant()
    def team_spend_matches_recount(self) -> None:
        for team in self.store.list_teams():
            keys = self.store.list_keys(c_organization_id=team.c_organization_id, c_team_id=team.c_team_id)
            assert self.store.spend_team(team.c_team_id, team.c_organization_id).spend == self.spent(keys)

    @invariant()
    def user_scopes_match_recount(self) -> None:
        keys = self.store.list_keys()
        for user in ("u1", "u2"):
            self.check_scope(
                [key for key in keys if key.key_type is KeyType.USER and key.c_user_id == user],
                partial(self.store.spend_user, user),
            )
            for team in self.store.list_teams():
                scope = [
                    key
                    for key in keys
                    if key.key_type is KeyType.TEAM_USER
                    and key.c_user_id == user
                    and (key.c_organization_id, key.c_team_id) == (team.c_organization_id, team.c_team_id)
                ]
                self.check_scope(
                    scope,
                    partial(self.store.spend_team_user, team.c_team_id, user, team.c_organization_id),
                )

    def check_scope(self, keys: list[Key], read: Callable[[], Spend]) -> None:
        if not keys:
            with pytest.raises(NotFound):
                read()
            return
        spend = read()
        assert spend.spend == self.spent(keys)
        assert spend.quota == total([key.quota for key in keys])

    def spent(self, keys: list[Key]) -> Decimal:
        return total([self.store.get_key_spend(key.key_id) for key in keys])


StoreMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
test_store_aggregates_match_recount = StoreMachine.TestCase
