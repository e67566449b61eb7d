"""Every record's JSON form validates against its schema in the contract."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import jsonschema_rs
import pytest

from mock_server.models import Spend
from mock_server.store import Store
from spec import load_spec


@pytest.fixture(scope="module")
def components() -> dict[str, Any]:
    return dict(load_spec()["components"])


def validate(components: dict[str, Any], schema_name: str, instance: object) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": components}
    errors = [error.message for error in jsonschema_rs.validator_for(schema).iter_errors(instance)]
    assert errors == [], f"{schema_name}: {instance}"


@pytest.fixture
def store() -> Store:
    store = Store()
    store.create_organization("acme", "100")
    store.create_team("acme", "research", "40.5")
    for key_type, team, user in [
        ("ORG", None, None),
        ("TEAM_ALL", "research", None),
        ("TEAM_USER", "research", "alice"),
        ("USER", None, "bob"),
    ]:
        store.create_key("acme", key_type, team, user, "10", key_id=f"k-{key_type}")
    store.record_usage("k-TEAM_USER", "120.25")
    return store


def test_organization_matches_schema(store: Store, components: dict[str, Any]) -> None:
    validate(components, "Organization", store.get_organization("acme").to_json())


def test_team_matches_schema(store: Store, components: dict[str, Any]) -> None:
    validate(components, "Team", store.get_team("research").to_json())


def test_every_key_type_matches_schema(store: Store, components: dict[str, Any]) -> None:
    for key in store.list_keys():
        validate(components, "Key", key.to_json())


def test_spends_match_schema(store: Store, components: dict[str, Any]) -> None:
    spends = [
        store.spend_organization("acme"),
        store.spend_team("research"),
        store.spend_team_user("research", "alice"),
        store.spend_user("bob"),
        Spend.unavailable(Decimal("100")),
    ]

    for spend in spends:
        validate(components, "Spend", spend.to_json())
    assert spends[0].to_json()["remaining"] == "-20.25"


def test_scope_state_payload_fields(store: Store, components: dict[str, Any]) -> None:
    # Webhook payloads copy these fields; money must satisfy the same string patterns.
    states = store.record_usage("k-USER", "1")

    for state in states:
        body = state.to_json()
        validate(components, "SpendAmount", body["spend"])
        validate(components, "Money", body["quota"])
        validate(components, "SignedMoney", body["remaining"])
