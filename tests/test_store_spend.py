"""Spend scopes, the recharge flow, ETags and idempotent quota increments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from store_support import CountingIds, StepClock

from mock_server.errors import Conflict, Invalid, NotFound, PreconditionFailed
from mock_server.models import Spend
from mock_server.store import Store


@pytest.fixture
def store() -> Store:
    """Organization acme (quota 1000) with team research (400), keys of every type, and usage."""
    store = Store(clock=StepClock(), id_factory=CountingIds())
    store.create_organization("acme", "1000")
    store.create_team("acme", "research", "400")
    store.create_key("acme", "ORG", None, None, "100", key_id="k-org")
    store.create_key("acme", "TEAM_ALL", "research", None, "200", key_id="k-team")
    store.create_key("acme", "TEAM_USER", "research", "alice", "30", key_id="k-alice-1")
    store.create_key("acme", "TEAM_USER", "research", "alice", "20.5", key_id="k-alice-2")
    store.create_key("acme", "USER", None, "bob", "10", key_id="k-bob")
    for key_id, amount in [
        ("k-org", "1"),
        ("k-team", "2"),
        ("k-alice-1", "4"),
        ("k-alice-2", "8"),
        ("k-bob", "16"),
    ]:
        store.record_usage(key_id, amount)
    return store


def test_organization_spend_covers_all_keys(store: Store) -> None:
    spend = store.spend_organization("acme")

    assert spend.spend == Decimal("31")
    assert spend.quota == Decimal("1000")
    assert spend.remaining == Decimal("969")


def test_team_spend_covers_team_keys(store: Store) -> None:
    spend = store.spend_team("research")

    assert spend.spend == Decimal("14")
    assert spend.quota == Decimal("400")


def test_team_user_spend_sums_key_quotas(store: Store) -> None:
    spend = store.spend_team_user("research", "alice")

    assert spend.spend == Decimal("12")
    assert spend.quota == Decimal("50.5")
    assert spend.to_json()["remaining"] == "38.5"


def test_user_spend_covers_user_keys(store: Store) -> None:
    spend = store.spend_user("bob")

    assert spend.spend == Decimal("16")
    assert spend.quota == Decimal("10")
    assert spend.to_json()["remaining"] == "-6"


def test_user_spend_across_organizations(store: Store) -> None:
    store.create_organization("globex", "1")
    store.create_key("globex", "USER", None, "bob", "5", key_id="k-bob-globex")
    store.record_usage("k-bob-globex", "1.25")

    assert store.spend_user("bob").spend == Decimal("17.25")
    assert store.spend_user("bob").quota == Decimal("15")
    assert store.spend_user("bob", "globex").spend == Decimal("1.25")
    assert store.spend_user("bob", "acme").spend == Decimal("16")


def test_user_without_keys_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="User 'carol' has no USER keys"):
        store.spend_user("carol")
    with pytest.raises(NotFound, match="User 'alice' has no USER keys in organization 'acme'"):
        store.spend_user("alice", "acme")


def test_team_user_without_keys_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="User 'bob' has no TEAM_USER keys in team 'research'"):
        store.spend_team_user("research", "bob")


def test_scope_disappears_with_its_last_key(store: Store) -> None:
    store.delete_team("research")

    with pytest.raises(NotFound):
        store.spend_team_user("research", "alice", "acme")
    # The deleted keys' spend (2 + 4 + 8) stays in the organization's spend.
    assert store.spend_organization("acme").spend == Decimal("31")


def test_spend_json_shape(store: Store) -> None:
    body = store.spend_team("research").to_json()

    assert body["spend"] == "14"
    assert body["quota"] == "400"
    assert body["remaining"] == "386"
    assert body["spend_status"] == "available"
    assert str(body["spend_as_of"]).endswith("Z")


def test_unavailable_spend_sentinel() -> None:
    body = Spend.unavailable(Decimal("100")).to_json()

    assert body["spend"] == "-1.0"
    assert body["spend_status"] == "unavailable"
    assert body["spend_as_of"] is None
    assert body["quota"] == "100"


def test_recharge_flow() -> None:
    store = Store(clock=StepClock(), id_factory=CountingIds())
    store.create_organization("acme", 100)
    store.create_key("acme", "ORG", None, None, 100, key_id="k")

    store.record_usage("k", 120)
    exceeded = store.spend_organization("acme").to_json()["remaining"]
    store.set_organization_quota("acme", 200)
    recharged = store.spend_organization("acme").to_json()["remaining"]

    assert exceeded == "-20"
    assert recharged == "80"


def test_quota_update_visible_in_next_spend(store: Store) -> None:
    store.set_team_quota("research", "10.10")

    assert store.spend_team("research").to_json()["quota"] == "10.10"
    assert store.get_team("research").quota == Decimal("10.10")


def test_key_quota_update_changes_team_user_quota(store: Store) -> None:
    store.update_key("k-alice-2", "0.5")

    assert store.spend_team_user("research", "alice").quota == Decimal("30.5")


def test_etag_changes_on_every_change(store: Store) -> None:
    first = store.get_organization("acme").etag
    second = store.set_organization_quota("acme", "1000").etag
    third = store.increment_organization_quota("acme", "1", "once")[0].etag

    assert len({first, second, third}) == 3
    assert first.startswith('"')
    assert first.endswith('"')


def test_usage_leaves_etag_alone(store: Store) -> None:
    before = store.get_organization("acme").etag

    store.record_usage("k-org", "1")

    assert store.get_organization("acme").etag == before


def test_if_match_current_applies(store: Store) -> None:
    etag = store.get_organization("acme").etag

    updated = store.set_organization_quota("acme", "5", if_match=etag)

    assert updated.quota == Decimal("5")


def test_if_match_stale_fails(store: Store) -> None:
    stale = store.get_organization("acme").etag
    store.set_organization_quota("acme", "5")

    with pytest.raises(PreconditionFailed) as caught:
        store.set_organization_quota("acme", "6", if_match=stale)

    assert caught.value.status_code == 412
    assert stale in caught.value.detail
    assert store.get_organization("acme").quota == Decimal("5")


def test_if_match_on_team_quota(store: Store) -> None:
    team = store.get_team("research")

    store.set_team_quota("research", "1", if_match=team.etag)
    with pytest.raises(PreconditionFailed):
        store.set_team_quota("research", "2", if_match=team.etag)
    assert store.get_team("research").quota == Decimal("1")


@pytest.mark.parametrize("header", ["*", '"other", {etag}', "{etag}"])
def test_if_match_forms_accepted(store: Store, header: str) -> None:
    etag = store.get_organization("acme").etag

    store.set_organization_quota("acme", "3", if_match=header.format(etag=etag))

    assert store.get_organization("acme").quota == Decimal("3")


def test_weak_etag_never_matches(store: Store) -> None:
    # If-Match uses the strong comparison (RFC 9110 section 13.1.1).
    etag = store.get_organization("acme").etag

    with pytest.raises(PreconditionFailed):
        store.set_organization_quota("acme", "3", if_match=f"W/{etag}")


def test_increment_applies_once_per_key(store: Store) -> None:
    first, first_replayed = store.increment_organization_quota("acme", "50", "recharge-1")
    second, second_replayed = store.increment_organization_quota("acme", "50", "recharge-1")

    assert first.quota == Decimal("1050")
    assert first_replayed is False
    assert second == first
    assert second_replayed is True
    assert store.get_organization("acme").quota == Decimal("1050")


def test_increment_new_key_applies_again(store: Store) -> None:
    store.increment_organization_quota("acme", "50", "recharge-1")

    organization, replayed = store.increment_organization_quota("acme", "0.25", "recharge-2")

    assert organization.quota == Decimal("1050.25")
    assert replayed is False


def test_increment_replay_returns_first_result(store: Store) -> None:
    first, _ = store.increment_organization_quota("acme", "50", "recharge-1")
    store.set_organization_quota("acme", "7")

    replayed, was_replayed = store.increment_organization_quota("acme", "50", "recharge-1")

    assert replayed == first
    assert was_replayed is True
    assert store.get_organization("acme").quota == Decimal("7")


def test_increment_key_reused_with_other_amount(store: Store) -> None:
    store.increment_organization_quota("acme", "50", "recharge-1")

    with pytest.raises(Conflict, match="already used with amount '50'"):
        store.increment_organization_quota("acme", "60", "recharge-1")


def test_increment_keys_scoped_per_organization(store: Store) -> None:
    store.create_organization("globex", "1")
    store.increment_organization_quota("acme", "50", "same")

    organization, replayed = store.increment_organization_quota("globex", "2", "same")

    assert organization.quota == Decimal("3")
    assert replayed is False


@pytest.mark.parametrize("idempotency_key", ["", "x" * 129])
def test_increment_rejects_bad_idempotency_key(store: Store, idempotency_key: str) -> None:
    with pytest.raises(Invalid) as caught:
        store.increment_organization_quota("acme", "1", idempotency_key)

    assert caught.value.loc == ("header", "Idempotency-Key")


def test_increment_unknown_organization(store: Store) -> None:
    with pytest.raises(NotFound, match="Organization 'nope' not found"):
        store.increment_organization_quota("nope", "1", "k")


def test_increment_past_money_bound_rejected() -> None:
    store = Store(clock=StepClock(), id_factory=CountingIds())
    store.create_organization("acme", "999999999999999999")
    before = store.get_organization("acme")

    with pytest.raises(Conflict) as caught:
        store.increment_organization_quota("acme", "999999999999999999", "recharge-1")

    assert "1999999999999999998" in caught.value.detail
    assert "10^18" in caught.value.detail
    assert store.get_organization("acme") == before


def test_increment_rejected_past_bound_leaves_key_unused() -> None:
    store = Store(clock=StepClock(), id_factory=CountingIds())
    store.create_organization("acme", "999999999999999999")
    with pytest.raises(Conflict):
        store.increment_organization_quota("acme", "1", "recharge-1")

    store.set_organization_quota("acme", "0")
    updated, replayed = store.increment_organization_quota("acme", "1", "recharge-1")

    assert replayed is False
    assert updated.quota == Decimal("1")


def test_increment_up_to_bound_accepted() -> None:
    store = Store(clock=StepClock(), id_factory=CountingIds())
    store.create_organization("acme", "999999999999999998.5")

    updated, _ = store.increment_organization_quota("acme", "1.499999999999999999", "recharge-1")

    assert updated.quota == Decimal("999999999999999999.999999999999999999")


def test_usage_past_money_bound_rejected(store: Store) -> None:
    store.record_usage("k-org", "999999999999999900")
    before = store.dump()

    with pytest.raises(Conflict) as caught:
        store.record_usage("k-alice-1", "500")

    assert "organization 'acme'" in caught.value.detail
    assert "1000000000000000431" in caught.value.detail
    assert store.dump() == before
    assert store.spend_organization("acme").spend == Decimal("999999999999999931")


def test_usage_bound_counts_deleted_team_spend(store: Store) -> None:
    store.record_usage("k-team", "999999999999999000")
    store.delete_team("research")

    with pytest.raises(Conflict):
        store.record_usage("k-org", "1000")
    assert store.get_key_spend("k-org") == Decimal("1")
