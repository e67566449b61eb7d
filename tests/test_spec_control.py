"""The mock control API contract agrees with the lead's decisions and with the KMS contract."""

from __future__ import annotations

import pytest

import spec

SHARED_SCHEMAS = [
    "MoneyInput",
    "Money",
    "SignedMoney",
    "CustomerId",
    "NullableCustomerId",
    "Timestamp",
    "KeyType",
]
SHARED_ERROR_SCHEMAS = ["Error", "ValidationError", "HTTPValidationError"]

EXPECTED_CONTROL_OPERATIONS = {
    ("POST", "/_mock/reset", "204"),
    ("POST", "/_mock/usage", "200"),
    ("POST", "/_mock/fixtures", "200"),
    ("GET", "/_mock/state", "200"),
    ("GET", "/_mock/faults", "200"),
    ("PUT", "/_mock/faults", "200"),
    ("DELETE", "/_mock/faults", "204"),
    ("GET", "/_mock/webhooks/deliveries", "200"),
}


@pytest.mark.parametrize("name", SHARED_SCHEMAS + SHARED_ERROR_SCHEMAS)
def test_copied_schema_equals_kms_schema(name: str) -> None:
    kms = spec.load_spec()["components"]["schemas"][name]
    control = spec.load_control_spec()["components"]["schemas"][name]

    assert control == kms


def test_control_operations_and_success_statuses() -> None:
    document = spec.load_control_spec()
    actual = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            success = next(status for status in operation["responses"] if status.startswith("2"))
            actual.add((method.upper(), path, success))

    assert actual == EXPECTED_CONTROL_OPERATIONS


def test_delivery_log_entry_has_decided_fields() -> None:
    delivery = spec.load_control_spec()["components"]["schemas"]["Delivery"]

    assert set(delivery["required"]) == {
        "event_id",
        "endpoint_id",
        "url",
        "event_type",
        "attempt",
        "status_code",
        "latency_ms",
        "error",
        "delivered_at",
    }


def test_state_dump_cannot_carry_webhook_secret() -> None:
    webhooks = spec.load_control_spec()["components"]["schemas"]["StateDump"]["properties"]["webhooks"]

    assert webhooks["items"]["not"] == {"required": ["secret"]}
