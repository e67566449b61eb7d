"""Fixture files and documents: parsing, validation messages and loading."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from store_support import CountingIds, StepClock

from mock_server.errors import Conflict, Invalid, NotFound
from mock_server.fixtures import FixtureError, example_fixture, load_fixture_file, parse_document
from mock_server.store import Store


@pytest.fixture
def store() -> Store:
    return Store(clock=StepClock(), id_factory=CountingIds())


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_fixture_loads(store: Store) -> None:
    counts = store.load_fixtures(example_fixture())

    assert counts == {"organizations": 2, "teams": 3, "keys": 5, "usage": 5}
    assert store.spend_organization("acme").to_json()["spend"] == "157.75"
    assert store.spend_team("research", "globex").to_json()["remaining"] == "-10"


def test_yaml_fraction_stays_decimal(tmp_path: Path) -> None:
    path = write(tmp_path, "seed.yaml", "organizations:\n  - {c_organization_id: acme, quota: 10.10}\n")

    document = load_fixture_file(path)

    quota = document["organizations"][0]["quota"]
    assert isinstance(quota, Decimal)
    assert str(quota) == "10.10"


def test_json_fraction_stays_decimal(tmp_path: Path, store: Store) -> None:
    text = json.dumps({"organizations": [{"c_organization_id": "acme", "quota": 1}]}).replace("1}", "1.10}")
    path = write(tmp_path, "seed.json", text)

    store.load_fixtures(load_fixture_file(path))

    assert store.get_organization("acme").to_json()["quota"] == "1.10"


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("organizations:\n  - {c_organization_id: acme}\n", "organizations[0]", "missing field 'quota'"),
        (
            "organizations:\n  - {c_organization_id: acme, quota: -1}\n",
            "organizations[0].quota",
            "invalid money",
        ),
        (
            "organizations:\n  - {c_organization_id: acme, quota: .inf}\n",
            "organizations[0].quota",
            "invalid money",
        ),
        (
            "organizations:\n  - {c_organization_id: 42, quota: 1}\n",
            "organizations[0].c_organization_id",
            "got 42",
        ),
        (
            "organizations:\n  - {c_organization_id: a, quota: 1, colour: red}\n",
            "organizations[0].colour",
            "unknown",
        ),
        ("teams: {c_team_id: x}\n", "teams", "expected a list"),
        ("people: []\n", "people", "unknown section"),
        ("- 1\n", "document", "expected a mapping"),
        (
            "keys:\n  - {c_organization_id: a, key_type: ORG, c_team_id: t, quota: 1}\n",
            "keys[0].c_team_id",
            "null",
        ),
        ("keys:\n  - {c_organization_id: a, key_type: USER, quota: 1}\n", "keys[0].c_user_id", "requires"),
        ("keys:\n  - {c_organization_id: a, key_type: BOSS, quota: 1}\n", "keys[0].key_type", "one of ORG"),
        ("usage:\n  - {key_id: k, amount: 1e3}\n", "usage[0].amount", "invalid money"),
        ("organizations: [\n", "document", "not valid YAML"),
    ],
)
def test_invalid_file_names_file_and_entry(tmp_path: Path, text: str, where: str, message: str) -> None:
    path = write(tmp_path, "seed.yaml", text)

    with pytest.raises(FixtureError) as caught:
        load_fixture_file(path)

    assert str(caught.value).startswith(f"{path}: {where}: ")
    assert message in str(caught.value)


def test_json_nan_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "seed.json", '{"organizations": [{"c_organization_id": "a", "quota": NaN}]}')

    with pytest.raises(FixtureError, match="not valid JSON"):
        load_fixture_file(path)


def test_missing_file_named(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"

    with pytest.raises(FixtureError, match="cannot be read") as caught:
        load_fixture_file(path)

    assert str(path) in str(caught.value)


def test_empty_sections_allowed() -> None:
    document = parse_document({"organizations": None, "usage": []}, "inline")

    assert document.counts() == {"organizations": 0, "teams": 0, "keys": 0, "usage": 0}


def test_invalid_body_gives_422_location(store: Store) -> None:
    with pytest.raises(Invalid) as caught:
        store.load_fixtures({"keys": [{"c_organization_id": "a", "key_type": "ORG", "quota": "x"}]})

    assert caught.value.loc == ("body", "keys", 0, "quota")


def test_unknown_organization_names_entry(store: Store) -> None:
    with pytest.raises(NotFound, match=r"teams\[0\]: Organization 'ghost' not found"):
        store.load_fixtures({"teams": [{"c_organization_id": "ghost", "c_team_id": "t", "quota": "1"}]})


def test_load_is_all_or_nothing(store: Store) -> None:
    store.create_organization("acme", "1")
    document = {
        "organizations": [{"c_organization_id": "globex", "quota": "1"}],
        "teams": [
            {"c_organization_id": "globex", "c_team_id": "t", "quota": "1"},
            {"c_organization_id": "globex", "c_team_id": "t", "quota": "1"},
        ],
    }

    with pytest.raises(Conflict, match=r"teams\[1\]"):
        store.load_fixtures(document)

    assert [org.c_organization_id for org in store.list_organizations()] == ["acme"]
    assert store.list_teams() == []


def test_replace_state_starts_empty(store: Store) -> None:
    store.load_fixtures(example_fixture())

    counts = store.load_fixtures(example_fixture(), replace_state=True)

    assert counts["organizations"] == 2
    assert len(store.list_organizations()) == 2


def test_usage_references_fixed_key_ids(store: Store) -> None:
    store.load_fixtures(example_fixture())

    assert store.get_key_spend("key_acme_bob") == Decimal("20.00")
