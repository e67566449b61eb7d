"""422 messages state what is wrong and the expected form, in FastAPI's {type, loc, msg, input} shape."""

from __future__ import annotations

from typing import Any

import pytest
from fixtures_testclient import TestClient


def only_error(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert len(detail) == 1, detail
    return detail[0]  # type: ignore[no-any-return]


@pytest.fixture
def acme(kms: TestClient) -> TestClient:
    kms.post("/organizations/", json={"c_organization_id": "acme", "quota": "10"})
    return kms


@pytest.mark.parametrize(
    ("quota", "error_type"),
    [
        ("-1", "string_pattern_mismatch"),
        ("1e3", "string_pattern_mismatch"),
        (-1, "greater_than_equal"),
        (True, "decimal_type"),
    ],
)
def test_bad_money_names_accepted_forms(kms: TestClient, quota: object, error_type: str) -> None:
    error = only_error(kms.post("/organizations/", json={"c_organization_id": "x", "quota": quota}))

    assert error["type"] == error_type
    assert error["loc"] == ["body", "quota"]
    assert error["input"] == quota
    assert "non-negative decimal number" in error["msg"]
    assert 'decimal string such as "125.50"' in error["msg"]
    assert "anyOf" not in error["msg"]


@pytest.mark.parametrize(
    ("body", "sent"),
    [({"quota": "1", "new_quota": "2"}, "got quota and new_quota"), ({}, "got none of them")],
)
def test_quota_alias_asks_for_exactly_one(acme: TestClient, body: dict[str, str], sent: str) -> None:
    error = only_error(acme.put("/organizations/acme/quota", json=body))

    assert error["type"] == "value_error"
    assert error["loc"] == ["body"]
    assert error["input"] == body
    assert 'exactly one of "quota" or "new_quota"' in error["msg"]
    assert "new_quota is a deprecated alias" in error["msg"]
    assert sent in error["msg"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"key_type": "ORG", "c_team_id": "t"},
            "ORG needs c_team_id null or absent and c_user_id null or absent, but c_team_id is set",
        ),
        (
            {"key_type": "TEAM_ALL"},
            "TEAM_ALL needs c_team_id set and c_user_id null or absent, but c_team_id is missing",
        ),
        (
            {"key_type": "TEAM_USER", "c_team_id": "t"},
            "TEAM_USER needs c_team_id set and c_user_id set, but c_user_id is missing",
        ),
        (
            {"key_type": "USER", "c_user_id": "u", "c_team_id": "t"},
            "USER needs c_user_id set and c_team_id null or absent, but c_team_id is set",
        ),
    ],
)
def test_key_type_rule_names_fields(acme: TestClient, fields: dict[str, str], expected: str) -> None:
    body = {"c_organization_id": "acme", "quota": "1", **fields}

    error = only_error(acme.post("/keys/", json=body))

    assert error["type"] == "value_error"
    assert error["loc"] == ["body"]
    assert error["input"] == body
    assert expected in error["msg"]


def test_unknown_key_type_lists_values(acme: TestClient) -> None:
    body = {"c_organization_id": "acme", "quota": "1", "key_type": "BOGUS"}

    error = only_error(acme.post("/keys/", json=body))

    assert error["type"] == "enum"
    assert error["loc"] == ["body", "key_type"]
    assert error["input"] == "BOGUS"
    assert error["msg"] == "Input should be 'ORG', 'TEAM_ALL', 'TEAM_USER' or 'USER'"


def test_long_id_reports_length_once(kms: TestClient) -> None:
    error = only_error(kms.get("/organizations/" + "x" * 129))

    assert error["type"] == "string_too_long"
    assert error["loc"] == ["path", "c_organization_id"]
    assert error["msg"] == "String should have at most 128 characters, but has 129"


@pytest.mark.parametrize(
    ("value", "problem"), [("a/b", 'contains "/"'), ("a\tb", "control character U+0009"), ("..", 'is ".."')]
)
def test_bad_id_names_broken_rule(kms: TestClient, value: str, problem: str) -> None:
    error = only_error(kms.post("/organizations/", json={"c_organization_id": value, "quota": "1"}))

    assert error["type"] == "string_pattern_mismatch"
    assert error["loc"] == ["body", "c_organization_id"]
    assert error["input"] == value
    assert problem in error["msg"]
    assert 'e.g. "acme"' in error["msg"]


def test_threshold_message_gives_range(kms: TestClient) -> None:
    body = {
        "url": "http://127.0.0.1:9/hook",
        "events": ["quota_warning"],
        "secret": "s",
        "warning_threshold": 2,
    }

    error = only_error(kms.post("/webhooks/configure", json=body))

    assert error["type"] == "less_than"
    assert error["loc"] == ["body", "warning_threshold"]
    assert "above 0 and below 1" in error["msg"]
