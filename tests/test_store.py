"""Domain rules of the store: mapping, duplicates, look-ups, key types, deletes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from store_support import CountingIds, StepClock

from mock_server.errors import Conflict, Invalid, NotFound
from mock_server.models import KeyType
from mock_server.store import Store


@pytest.fixture
def store() -> Store:
    return Store(clock=StepClock(), id_factory=CountingIds())


@pytest.fixture
def acme(store: Store) -> Store:
    """A store with organization acme, its team research, and one key of each type."""
    store.create_organization("acme", "1000")
    store.create_team("acme", "research", "400")
    store.create_key("acme", "ORG", None, None, "100", key_id="k-org")
    store.create_key("acme", "TEAM_ALL", "research", None, "200", key_id="k-team")
    store.create_key("acme", "TEAM_USER", "research", "alice", "30", key_id="k-alice-1")
    store.create_key("acme", "TEAM_USER", "research", "alice", "20", key_id="k-alice-2")
    store.create_key("acme", "USER", None, "bob", "10", key_id="k-bob")
    return store


def test_organization_json_shape(store: Store) -> None:
    organization = store.create_organization("acme", "125.50")

    assert organization.to_json() == {
        "id": 1,
        "c_organization_id": "acme",
        "l_team_id": "l_team_id-1",
        "quota": "125.50",
        "created_at": "2026-12-04T20:00:00.001000Z",
        "updated_at": "2026-12-04T20:00:00.001000Z",
    }


def test_team_shares_organization_l_team_id(store: Store) -> None:
    organization = store.create_organization("acme", "10")

    first = store.create_team("acme", "research", "5")
    second = store.create_team("acme", "support", "5")

    assert first.l_team_id == organization.l_team_id
    assert second.l_team_id == organization.l_team_id
    assert first.l_user_id != second.l_user_id


def test_organizations_get_distinct_l_team_ids(store: Store) -> None:
    first = store.create_organization("acme", "10")
    second = store.create_organization("globex", "10")

    assert first.l_team_id != second.l_team_id


def test_key_json_shape(store: Store) -> None:
    store.create_organization("acme", "10")

    key = store.create_key("acme", "USER", None, "bob", 9)

    assert key.to_json()["key_type"] == "USER"
    assert key.to_json()["c_team_id"] is None
    assert key.to_json()["quota"] == "9"
    assert key.litellm_key.startswith("sk-")
    assert key.key_id == "key_id-2"


def test_quota_nine_and_string_nine_equal(store: Store) -> None:
    from_int = store.create_organization("a", 9)
    from_string = store.create_organization("b", "9")

    assert from_int.quota == from_string.quota
    assert from_int.to_json()["quota"] == from_string.to_json()["quota"] == "9"


@pytest.mark.parametrize("c_organization_id", ["null", "false", "0", " ", "x" * 128, "名前", "...", ".a"])
def test_unusual_ids_are_ordinary(store: Store, c_organization_id: str) -> None:
    store.create_organization(c_organization_id, "1")

    assert store.get_organization(c_organization_id).c_organization_id == c_organization_id


@pytest.mark.parametrize(
    "c_organization_id", ["", "a/b", "x" * 129, "tab\there", "del\x7f", ".", "..", 5, None]
)
def test_invalid_ids_rejected(store: Store, c_organization_id: object) -> None:
    with pytest.raises(Invalid) as caught:
        store.create_organization(c_organization_id, "1")  # type: ignore[arg-type]

    assert caught.value.loc == ("body", "c_organization_id")
    assert caught.value.status_code == 422


def test_invalid_quota_names_value(store: Store) -> None:
    with pytest.raises(Invalid) as caught:
        store.create_organization("acme", "-5")

    assert caught.value.loc == ("body", "quota")
    assert "'-5'" in caught.value.msg
    assert caught.value.to_json()["detail"] == [
        {"type": "value_error", "loc": ["body", "quota"], "msg": caught.value.msg, "input": "-5"}
    ]


def test_duplicate_organization_conflicts(store: Store) -> None:
    store.create_organization("acme", "1")

    with pytest.raises(Conflict, match="Organization 'acme' already exists"):
        store.create_organization("acme", "2")
    assert store.get_organization("acme").quota == Decimal("1")


def test_duplicate_team_conflicts_within_organization(store: Store) -> None:
    store.create_organization("acme", "1")
    store.create_organization("globex", "1")
    store.create_team("acme", "research", "1")

    store.create_team("globex", "research", "1")
    with pytest.raises(Conflict, match="Team 'research' already exists in organization 'acme'"):
        store.create_team("acme", "research", "1")


def test_unknown_resources_named(store: Store) -> None:
    with pytest.raises(NotFound, match="Organization 'nope' not found") as caught:
        store.get_organization("nope")
    assert caught.value.to_json() == {"detail": "Organization 'nope' not found"}
    with pytest.raises(NotFound, match="Team 'nope' not found"):
        store.get_team("nope")
    with pytest.raises(NotFound, match="Key 'nope' not found"):
        store.get_key("nope")


def test_create_team_in_unknown_organization(store: Store) -> None:
    with pytest.raises(NotFound, match="Organization 'nope' not found"):
        store.create_team("nope", "research", "1")


def test_create_key_for_unknown_team(store: Store) -> None:
    store.create_organization("acme", "1")

    with pytest.raises(NotFound, match="Team 'ghost' not found in organization 'acme'"):
        store.create_key("acme", "TEAM_ALL", "ghost", None, "1")


@pytest.mark.parametrize(
    ("key_type", "c_team_id", "c_user_id", "field"),
    [
        ("ORG", "research", None, "c_team_id"),
        ("ORG", None, "bob", "c_user_id"),
        ("TEAM_ALL", None, None, "c_team_id"),
        ("TEAM_ALL", "research", "bob", "c_user_id"),
        ("TEAM_USER", "research", None, "c_user_id"),
        ("TEAM_USER", None, "bob", "c_team_id"),
        ("USER", None, None, "c_user_id"),
        ("USER", "research", "bob", "c_team_id"),
        ("ADMIN", None, None, "key_type"),
        ("org", None, None, "key_type"),
    ],
)
def test_key_type_rules(
    store: Store, key_type: str, c_team_id: str | None, c_user_id: str | None, field: str
) -> None:
    store.create_organization("acme", "1")
    store.create_team("acme", "research", "1")

    with pytest.raises(Invalid) as caught:
        store.create_key("acme", key_type, c_team_id, c_user_id, "1")

    assert caught.value.loc == ("body", field)
    assert store.list_keys() == []


@pytest.mark.parametrize("key_type", list(KeyType))
def test_each_key_type_accepted(acme: Store, key_type: KeyType) -> None:
    assert any(key.key_type is key_type for key in acme.list_keys())


def test_team_id_ambiguity_conflicts(acme: Store) -> None:
    acme.create_organization("globex", "1")
    acme.create_team("globex", "research", "7")

    with pytest.raises(Conflict, match="pass c_organization_id") as caught:
        acme.get_team("research")
    assert "'acme'" in caught.value.detail
    assert acme.get_team("research", "globex").quota == Decimal("7")
    assert acme.get_team("research", "acme").quota == Decimal("400")


def test_ambiguity_applies_to_team_spend_reads(acme: Store) -> None:
    acme.create_organization("globex", "1")
    acme.create_team("globex", "research", "7")

    with pytest.raises(Conflict):
        acme.spend_team("research")
    with pytest.raises(Conflict):
        acme.spend_team_user("research", "alice")
    with pytest.raises(Conflict):
        acme.set_team_quota("research", "1")


def test_team_in_wrong_organization_not_found(acme: Store) -> None:
    acme.create_organization("globex", "1")

    with pytest.raises(NotFound, match="Team 'research' not found in organization 'globex'"):
        acme.get_team("research", "globex")
    with pytest.raises(NotFound, match="Organization 'nope' not found"):
        acme.get_team("research", "nope")


def test_list_keys_filters(acme: Store) -> None:
    acme.create_organization("globex", "1")
    acme.create_team("globex", "research", "1")
    acme.create_key("globex", "TEAM_ALL", "research", None, "1", key_id="k-globex")

    def ids(**filters: str) -> list[str]:
        return [key.key_id for key in acme.list_keys(**filters)]

    assert ids(c_organization_id="globex") == ["k-globex"]
    assert ids(c_team_id="research") == ["k-team", "k-alice-1", "k-alice-2", "k-globex"]
    assert ids(c_organization_id="acme", c_team_id="research") == ["k-team", "k-alice-1", "k-alice-2"]
    assert ids(c_organization_id="nope") == []
    assert len(ids()) == 6


def test_list_teams_filter(acme: Store) -> None:
    acme.create_organization("globex", "1")
    acme.create_team("globex", "ops", "1")

    assert [team.c_team_id for team in acme.list_teams("globex")] == ["ops"]
    assert [team.c_team_id for team in acme.list_teams()] == ["research", "ops"]
    assert acme.list_teams("nope") == []


def test_delete_organization_cascades(acme: Store) -> None:
    acme.record_usage("k-team", "5")

    acme.delete_organization("acme")

    assert acme.list_organizations() == []
    assert acme.list_teams() == []
    assert acme.list_keys() == []
    with pytest.raises(NotFound):
        acme.spend_organization("acme")
    with pytest.raises(NotFound):
        acme.spend_team("research")
    with pytest.raises(NotFound):
        acme.spend_user("bob")
    with pytest.raises(NotFound):
        acme.get_key("k-org")


def test_delete_team_removes_its_keys(acme: Store) -> None:
    acme.record_usage("k-team", "5")
    acme.record_usage("k-org", "1")

    acme.delete_team("research")

    assert [key.key_id for key in acme.list_keys()] == ["k-org", "k-bob"]
    with pytest.raises(NotFound):
        acme.spend_team_user("research", "alice", "acme")


def test_delete_team_keeps_organization_spend(acme: Store) -> None:
    acme.record_usage("k-team", "5")
    acme.record_usage("k-org", "1")

    acme.delete_team("research")

    spend = acme.spend_organization("acme")
    assert spend.spend == Decimal("6")
    assert spend.remaining == Decimal("994")


def test_recreated_team_starts_without_spend(acme: Store) -> None:
    acme.record_usage("k-team", "5")
    acme.delete_team("research")

    acme.create_team("acme", "research", "400")

    assert acme.spend_team("research", "acme").spend == Decimal("0")
    assert acme.spend_organization("acme").spend == Decimal("5")


def test_recreated_organization_drops_deleted_team_spend(acme: Store) -> None:
    acme.record_usage("k-team", "5")
    acme.delete_team("research")
    acme.delete_organization("acme")

    acme.create_organization("acme", "1000")

    assert acme.spend_organization("acme").spend == Decimal("0")


def test_recreated_organization_starts_fresh(acme: Store) -> None:
    old = acme.get_organization("acme")
    acme.record_usage("k-org", "50")
    acme.delete_organization("acme")

    new = acme.create_organization("acme", "1000")

    assert new.id != old.id
    assert new.etag != old.etag
    assert acme.spend_organization("acme").spend == Decimal("0")


def test_update_key_changes_quota_only(acme: Store) -> None:
    before = acme.get_key("k-org")

    after = acme.update_key("k-org", "5.5")

    assert after.quota == Decimal("5.5")
    assert after.litellm_key == before.litellm_key
    assert after.created_at == before.created_at
    assert after.updated_at > before.updated_at


def test_record_usage_unknown_key(store: Store) -> None:
    with pytest.raises(NotFound, match="Key 'ghost' not found"):
        store.record_usage("ghost", "1")


def test_record_usage_rejects_negative(acme: Store) -> None:
    with pytest.raises(Invalid) as caught:
        acme.record_usage("k-org", "-1")

    assert caught.value.loc == ("body", "amount")
    assert acme.get_key_spend("k-org") == Decimal("0")


def test_reset_empties_and_keeps_counting(acme: Store) -> None:
    highest = max(key.id for key in acme.list_keys())

    acme.reset()

    assert acme.dump() == {"organizations": [], "teams": [], "keys": [], "deleted_key_spend": []}
    acme.create_organization("acme", "1")
    key = acme.create_key("acme", "ORG", None, None, "1")
    assert key.id > highest


def test_dump_has_plain_json_values(acme: Store) -> None:
    acme.record_usage("k-bob", "2.50")

    dumped = acme.dump()

    keys = {key["key_id"]: key for key in dumped["keys"]}  # type: ignore[attr-defined]
    assert keys["k-bob"]["spend"] == "2.50"
    assert keys["k-org"]["spend"] == "0"
    assert dumped["organizations"][0]["quota"] == "1000"  # type: ignore[index]


def test_fixed_key_id_conflicts(acme: Store) -> None:
    with pytest.raises(Conflict, match="Key 'k-org' already exists"):
        acme.create_key("acme", "ORG", None, None, "1", key_id="k-org")


def test_updated_at_never_before_created_at() -> None:
    # A clock that goes backwards (an NTP step) must not make updated_at < created_at.
    readings = iter([StepClock()() for _ in range(3)][::-1] * 3)
    store = Store(clock=lambda: next(readings), id_factory=CountingIds())

    created = store.create_organization("acme", "1")
    updated = store.set_organization_quota("acme", "2")

    assert updated.updated_at >= created.created_at
