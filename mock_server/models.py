"""Immutable records of the mock's state and their JSON response shapes.

The store replaces a record on every change instead of mutating it, so a reader
that got a record holds a consistent snapshot without taking the store's lock.
Each record's `version` grows by one on every change, which makes `etag` change
with every change as the contract requires.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

from mock_server.money import format_money, subtract_money

SPEND_UNAVAILABLE = Decimal("-1.0")


class KeyType(str, enum.Enum):
    """Key type: the owners of a key besides its organization (none, team, team and user, or user)."""

    ORG = "ORG"
    TEAM_ALL = "TEAM_ALL"
    TEAM_USER = "TEAM_USER"
    USER = "USER"

    @property
    def needs_team(self) -> bool:
        return self in (KeyType.TEAM_ALL, KeyType.TEAM_USER)

    @property
    def needs_user(self) -> bool:
        return self in (KeyType.TEAM_USER, KeyType.USER)


class Scope(str, enum.Enum):
    """A spend scope, named as in webhook payloads."""

    ORGANIZATION = "organization"
    TEAM = "team"
    TEAM_USER = "team-user"
    USER = "user"


def format_timestamp(moment: datetime) -> str:
    """Format `moment` as RFC 3339 UTC with microseconds, e.g. `2026-12-04T20:00:00.000000Z`."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _etag(kind: str, record_id: int, version: int) -> str:
    # The integer id is never reused, so a re-created resource gets a new tag.
    return f'"{kind}-{record_id}-v{version}"'


@dataclass(frozen=True)
class Organization:
    id: int
    c_organization_id: str
    l_team_id: str
    quota: Decimal
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def etag(self) -> str:
        return _etag("org", self.id, self.version)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "c_organization_id": self.c_organization_id,
            "l_team_id": self.l_team_id,
            "quota": format_money(self.quota),
            "created_at": format_timestamp(self.created_at),
            "updated_at": format_timestamp(self.updated_at),
        }


@dataclass(frozen=True)
class Team:
    id: int
    c_organization_id: str
    c_team_id: str
    l_team_id: str
    l_user_id: str
    quota: Decimal
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def etag(self) -> str:
        return _etag("team", self.id, self.version)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "c_organization_id": self.c_organization_id,
            "c_team_id": self.c_team_id,
            "l_team_id": self.l_team_id,
            "l_user_id": self.l_user_id,
            "quota": format_money(self.quota),
            "created_at": format_timestamp(self.created_at),
            "updated_at": format_timestamp(self.updated_at),
        }


@dataclass(frozen=True)
class Key:
    id: int
    key_id: str
    c_organization_id: str
    c_team_id: str | None
    c_user_id: str | None
    key_type: KeyType
    quota: Decimal
    litellm_key: str
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def etag(self) -> str:
        return _etag("key", self.id, self.version)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "key_id": self.key_id,
            "c_organization_id": self.c_organization_id,
            "c_team_id": self.c_team_id,
            "c_user_id": self.c_user_id,
            "key_type": self.key_type.value,
            "quota": format_money(self.quota),
            "litellm_key": self.litellm_key,
            "created_at": format_timestamp(self.created_at),
            "updated_at": format_timestamp(self.updated_at),
        }


@dataclass(frozen=True)
class Spend:
    """A spend response: the scope's spend, quota and their difference."""

    spend: Decimal
    quota: Decimal
    remaining: Decimal
    spend_status: str
    spend_as_of: datetime | None

    @classmethod
    def available(cls, spend: Decimal, quota: Decimal, as_of: datetime) -> Spend:
        return cls(spend, quota, subtract_money(quota, spend), "available", as_of)

    @classmethod
    def unavailable(cls, quota: Decimal) -> Spend:
        """Build the `"-1.0"` sentinel response.

        `remaining` is what a server computing `quota - spend` naively returns,
        `quota + 1`, so a client of the mock meets the same trap as with the
        live KMS unless it checks `spend_status`.
        """
        remaining = subtract_money(quota, SPEND_UNAVAILABLE)
        return cls(SPEND_UNAVAILABLE, quota, remaining, "unavailable", None)

    def to_json(self) -> dict[str, object]:
        as_of = None if self.spend_as_of is None else format_timestamp(self.spend_as_of)
        return {
            "spend": format_money(self.spend),
            "quota": format_money(self.quota),
            "remaining": format_money(self.remaining),
            "spend_status": self.spend_status,
            "spend_as_of": as_of,
        }


@dataclass(frozen=True)
class ScopeState:
    """Spend and quota of one scope right after a change, as subscribers see it.

    `c_team_id` is set for team and team-user scopes, `c_user_id` for team-user
    and user scopes. A user scope is reported per organization.
    """

    scope: Scope
    c_organization_id: str
    c_team_id: str | None
    c_user_id: str | None
    spend: Decimal
    quota: Decimal

    @property
    def remaining(self) -> Decimal:
        return subtract_money(self.quota, self.spend)

    @property
    def ids(self) -> tuple[str, str | None, str | None]:
        return (self.c_organization_id, self.c_team_id, self.c_user_id)

    def to_json(self) -> dict[str, object]:
        return {
            "scope": self.scope.value,
            "c_organization_id": self.c_organization_id,
            "c_team_id": self.c_team_id,
            "c_user_id": self.c_user_id,
            "spend": format_money(self.spend),
            "quota": format_money(self.quota),
            "remaining": format_money(self.remaining),
        }
