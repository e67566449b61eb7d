"""Each KMS check fails on a wrong response and passes on a right one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from contract_tests import checks
from contract_tests.checks import Exchange

ORG = {
    "id": 1,
    "c_organization_id": "acme",
    "l_team_id": "lt-1",
    "quota": "100",
    "created_at": "2026-12-04T20:00:00Z",
    "updated_at": "2026-12-04T20:00:01Z",
}
KEY = {
    "id": 1,
    "key_id": "k1",
    "c_organization_id": "acme",
    "c_team_id": "t1",
    "c_user_id": None,
    "key_type": "TEAM_ALL",
    "quota": "5",
    "litellm_key": "sk-abc",
    "created_at": "2026-12-04T20:00:00Z",
    "updated_at": "2026-12-04T20:00:00Z",
}


def exchange(operation_id: str, body: Any, status: int = 200, **query: str) -> Exchange:
    return Exchange(
        operation_id=operation_id, method="GET", path="/", status_code=status, body=body, query=query
    )


def spend(quota: str, spend_value: str, remaining: str, **extra: str) -> Exchange:
    body = {"quota": quota, "spend": spend_value, "remaining": remaining, **extra}
    return exchange("getOrganizationSpend", body)


def test_money_string_passes() -> None:
    assert checks.money_is_decimal_string(exchange("getOrganization", ORG)) == []


def test_money_float_fails() -> None:
    result = checks.money_is_decimal_string(exchange("getOrganization", {**ORG, "quota": 100.0}))

    assert result is not None
    assert result[0].received == "100.0"


def test_money_exponent_fails() -> None:
    result = checks.money_is_decimal_string(exchange("getOrganization", {**ORG, "quota": "1E+2"}))

    assert result and result[0].check == "money_is_decimal_string"


def test_money_negative_quota_fails() -> None:
    assert checks.money_is_decimal_string(exchange("getOrganization", {**ORG, "quota": "-5"}))


def test_money_negative_remaining_passes() -> None:
    assert checks.money_is_decimal_string(spend("1", "3", "-2")) == []


def test_money_sentinel_spend_passes() -> None:
    assert checks.money_is_decimal_string(spend("1", "-1.0", "2", spend_status="unavailable")) == []


def test_money_ignores_error_responses() -> None:
    assert checks.money_is_decimal_string(exchange("getOrganization", {"quota": 1}, status=404)) is None


def test_remaining_exact_passes() -> None:
    assert checks.remaining_equals_quota_minus_spend(spend("100.10", "0.2", "99.90")) == []


def test_remaining_negative_passes() -> None:
    assert checks.remaining_equals_quota_minus_spend(spend("100", "150.5", "-50.5")) == []


def test_remaining_wrong_fails() -> None:
    result = checks.remaining_equals_quota_minus_spend(spend("100", "30", "60"))

    assert result is not None
    assert result[0].expected == "70"
    assert result[0].received == "60"


def test_remaining_long_quota_minus_zero_passes() -> None:
    quota = "8301880897709.989397822308646570"

    assert checks.remaining_equals_quota_minus_spend(spend(quota, "0", quota)) == []


def test_remaining_long_exact_values_pass() -> None:
    result = checks.remaining_equals_quota_minus_spend(
        spend(
            "959096713385500456.20578387302",
            "0.000000000000000000001",
            "959096713385500456.205783873019999999999",
        )
    )

    assert result == []


def test_remaining_long_wrong_digit_fails() -> None:
    result = checks.remaining_equals_quota_minus_spend(
        spend("12345678901234567890123456789.5", "0.25", "12345678901234567890123456789.3")
    )

    assert result is not None
    assert result[0].expected == "12345678901234567890123456789.25"


def test_exact_difference_keeps_every_digit() -> None:
    difference = checks.exact_difference(Decimal("1" + "0" * 60 + ".5"), Decimal("0.000000000001"))

    assert difference == Decimal("1" + "0" * 60 + ".499999999999")


def test_remaining_skipped_for_sentinel() -> None:
    assert checks.remaining_equals_quota_minus_spend(spend("100", "-1.0", "5")) is None


def test_remaining_skipped_when_unavailable() -> None:
    response = spend("100", "3", "5", spend_status="unavailable")

    assert checks.remaining_equals_quota_minus_spend(response) is None


def test_filter_matching_items_pass() -> None:
    teams = [{"c_organization_id": "acme", "c_team_id": "t"}]

    assert checks.list_filters_honoured(exchange("listTeams", teams, c_organization_id="acme")) == []


def test_filter_foreign_item_fails() -> None:
    teams = [{"c_organization_id": "acme"}, {"c_organization_id": "other"}]

    result = checks.list_filters_honoured(exchange("listTeams", teams, c_organization_id="acme"))

    assert result is not None
    assert len(result) == 1
    assert result[0].received == "'other'"


def test_filter_keys_by_team_fails() -> None:
    keys = [{**KEY, "c_team_id": "t2"}]

    listed = exchange("listKeys", keys, c_organization_id="acme", c_team_id="t1")

    result = checks.list_filters_honoured(listed)

    assert result and result[0].expected == "'t1'"


def test_filter_unfiltered_list_not_applicable() -> None:
    assert checks.list_filters_honoured(exchange("listTeams", [{"c_organization_id": "x"}])) is None


def test_timestamps_in_order_pass() -> None:
    assert checks.updated_at_not_before_created_at(exchange("getOrganization", ORG)) == []


def test_updated_before_created_fails() -> None:
    body = {**ORG, "updated_at": "2026-12-04T19:00:00Z"}

    result = checks.updated_at_not_before_created_at(exchange("getOrganization", body))

    assert result and result[0].received == "2026-12-04T19:00:00Z"


def test_timestamp_without_zone_fails() -> None:
    body = {**ORG, "created_at": "2026-12-04T20:00:00"}

    assert checks.updated_at_not_before_created_at(exchange("getOrganization", body))


def test_key_type_fields_pass() -> None:
    assert checks.key_fields_match_key_type(exchange("listKeys", [KEY])) == []


def test_org_key_with_team_fails() -> None:
    result = checks.key_fields_match_key_type(exchange("createKey", {**KEY, "key_type": "ORG"}, status=201))

    assert result is not None
    assert result[0].expected == "null"
    assert result[0].received == "'t1'"


def test_user_key_without_user_fails() -> None:
    body = {**KEY, "key_type": "USER", "c_team_id": None, "c_user_id": None}

    assert checks.key_fields_match_key_type(exchange("createKey", body, status=201))


def test_litellm_key_prefix_fails() -> None:
    result = checks.litellm_key_starts_with_sk(exchange("updateKey", {**KEY, "litellm_key": "pk-1"}))

    assert result and result[0].received == "'pk-1'"


def test_litellm_key_prefix_passes() -> None:
    assert checks.litellm_key_starts_with_sk(exchange("updateKey", KEY)) == []


def test_team_litellm_team_mismatch_fails() -> None:
    team = {"c_team_id": "t", "l_team_id": "lt-2"}

    assert checks.team_shares_organization_litellm_team(team, ORG)
    assert checks.team_shares_organization_litellm_team({**team, "l_team_id": "lt-1"}, ORG) == []


def test_quota_visible_in_spend() -> None:
    assert checks.quota_update_visible_in_spend(Decimal("250"), {"quota": "250.00"}) == []
    assert checks.quota_update_visible_in_spend(Decimal("250"), {"quota": "100"})


def test_deleted_stays_deleted() -> None:
    assert checks.deleted_resource_stays_deleted("GET /organizations/x", 404) == []
    assert checks.deleted_resource_stays_deleted("GET /organizations/x", 200)


def test_webhook_secret_echo_fails() -> None:
    assert checks.webhook_secret_not_echoed({"id": "w1", "secret": "s"})
    assert checks.webhook_secret_not_echoed({"id": "w1"}) == []


def signed_delivery(secret: str) -> tuple[bytes, dict[str, str]]:
    from datetime import datetime, timezone

    from standardwebhooks.webhooks import Webhook

    body = b'{"event_id":"evt_1","type":"test"}'
    now = datetime.now(timezone.utc)
    signature = Webhook(secret).sign("evt_1", now, body.decode())
    return body, {
        "webhook-id": "evt_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


def test_webhook_signature_verifies() -> None:
    body, headers = signed_delivery("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")

    assert checks.webhook_signature_verifies("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", body, headers) == []


def test_webhook_signature_wrong_secret_fails() -> None:
    body, headers = signed_delivery("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")

    result = checks.webhook_signature_verifies("whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldY", body, headers)

    assert result and result[0].check == "webhook_signature_verifies"


def test_webhook_tampered_body_fails() -> None:
    body, headers = signed_delivery("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")

    assert checks.webhook_signature_verifies("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", body + b" ", headers)


def test_deleted_resource_not_listed() -> None:
    assert checks.deleted_resource_not_listed("acme", ["other"]) == []
    assert checks.deleted_resource_not_listed("acme", ["other", "acme"])
