"""Contract decisions encoded in the KMS spec: statuses, headers, bodies and webhooks."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

import spec

CREATES = ["createOrganization", "createTeam", "createKey"]
QUOTA_UPDATES = ["updateOrganizationQuota", "updateTeamQuota"]
SIGNING_HEADERS = {"webhook-id", "webhook-timestamp", "webhook-signature"}


def _document() -> dict[str, Any]:
    return spec.load_spec()


def _operation(document: dict[str, Any], operation_id: str) -> dict[str, Any]:
    for op in spec.operations(document):
        if op.operation_id == operation_id:
            operation: dict[str, Any] = document["paths"][op.path][op.method.lower()]
            return operation
    raise AssertionError(f"operation {operation_id} is missing from the spec")


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _validator(name: str) -> Draft202012Validator:
    document = _document()
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return Draft202012Validator(schema)


@pytest.mark.parametrize("operation_id", CREATES)
def test_live_create_accepts_201_and_200(operation_id: str) -> None:
    responses = _operation(_document(), operation_id)["responses"]

    assert "201" in responses
    assert "200" in responses


@pytest.mark.parametrize("operation_id", CREATES)
def test_create_documents_conflict(operation_id: str) -> None:
    assert "409" in _operation(_document(), operation_id)["responses"]


@pytest.mark.parametrize("operation_id", ["deleteOrganization", "deleteTeam"])
def test_delete_returns_204_without_body(operation_id: str) -> None:
    success = _operation(_document(), operation_id)["responses"]["204"]

    assert "content" not in success


def test_every_operation_documents_422_in_fastapi_shape() -> None:
    document = _document()
    shapes = {}
    for op in spec.operations(document):
        operation = _operation(document, op.operation_id)
        takes_input = operation.get("parameters") or document["paths"][op.path].get("parameters")
        if "requestBody" not in operation and not takes_input:
            # listOrganizations and getHealth take no input, so nothing can be invalid.
            continue
        response = _resolve(document, _operation(document, op.operation_id)["responses"]["422"])
        shapes[op.operation_id] = response["content"]["application/json"]["schema"]["$ref"]

    assert set(shapes.values()) == {"#/components/schemas/HTTPValidationError"}


def test_every_request_body_documents_413() -> None:
    document = _document()
    missing = [
        op.operation_id
        for op in spec.operations(document)
        if "requestBody" in _operation(document, op.operation_id)
        and "413" not in _operation(document, op.operation_id)["responses"]
    ]

    assert missing == []


@pytest.mark.parametrize("operation_id", QUOTA_UPDATES)
def test_quota_update_takes_optional_suggested_if_match(operation_id: str) -> None:
    document = _document()
    parameters = [_resolve(document, p) for p in _operation(document, operation_id)["parameters"]]
    if_match = next(p for p in parameters if p["name"] == "If-Match")

    assert if_match["in"] == "header"
    assert if_match["required"] is False
    assert if_match["x-kms-availability"] == "suggested"
    assert "412" in _operation(document, operation_id)["responses"]


@pytest.mark.parametrize("operation_id", ["getOrganization", "getTeam"])
def test_item_read_returns_etag(operation_id: str) -> None:
    success = _operation(_document(), operation_id)["responses"]["200"]

    assert "ETag" in success["headers"]


def test_increment_requires_idempotency_key() -> None:
    document = _document()
    parameters = [
        _resolve(document, p) for p in _operation(document, "incrementOrganizationQuota")["parameters"]
    ]
    key = next(p for p in parameters if p["name"] == "Idempotency-Key")

    assert key["required"] is True
    assert (key["schema"]["minLength"], key["schema"]["maxLength"]) == (1, 128)


@pytest.mark.parametrize(
    "body",
    [{"quota": "10"}, {"new_quota": 10}],
)
def test_quota_update_accepts_exactly_one_field(body: dict[str, Any]) -> None:
    assert _validator("QuotaUpdate").is_valid(body)


@pytest.mark.parametrize("body", [{}, {"quota": "10", "new_quota": "10"}])
def test_quota_update_rejects_both_or_neither(body: dict[str, Any]) -> None:
    assert not _validator("QuotaUpdate").is_valid(body)


@pytest.mark.parametrize(
    "body",
    [
        {"key_type": "ORG"},
        {"key_type": "ORG", "c_team_id": None, "c_user_id": None},
        {"key_type": "TEAM_ALL", "c_team_id": "research"},
        {"key_type": "TEAM_USER", "c_team_id": "research", "c_user_id": "alice"},
        {"key_type": "USER", "c_user_id": "alice", "c_team_id": None},
    ],
)
def test_key_create_accepts_valid_type_combinations(body: dict[str, Any]) -> None:
    assert _validator("KeyCreate").is_valid({"c_organization_id": "acme", "quota": "1", **body})


@pytest.mark.parametrize(
    "body",
    [
        {"key_type": "ORG", "c_team_id": "research"},
        {"key_type": "TEAM_ALL"},
        {"key_type": "TEAM_ALL", "c_team_id": "research", "c_user_id": "alice"},
        {"key_type": "TEAM_USER", "c_team_id": "research"},
        {"key_type": "USER", "c_team_id": "research", "c_user_id": "alice"},
        {"key_type": "ADMIN"},
    ],
)
def test_key_create_rejects_wrong_type_combinations(body: dict[str, Any]) -> None:
    assert not _validator("KeyCreate").is_valid({"c_organization_id": "acme", "quota": "1", **body})


@pytest.mark.parametrize(
    "value", ["acme", "null", "false", "0", "x" * 128, "团队 A", "...", ".a", "..a", "a.", "." + "x" * 127]
)
def test_customer_id_accepts(value: str) -> None:
    assert _validator("CustomerId").is_valid(value)


@pytest.mark.parametrize(
    "value", ["", ".", "..", "a/b", "x" * 129, ".." + "x" * 127, "tab\there", "bell\x07", "del\x7f"], ids=repr
)
def test_customer_id_rejects(value: str) -> None:
    assert not _validator("CustomerId").is_valid(value)


def test_webhook_secret_is_write_only_and_never_returned() -> None:
    schemas = _document()["components"]["schemas"]

    assert schemas["WebhookConfigure"]["properties"]["secret"]["writeOnly"] is True
    assert "secret" not in schemas["WebhookEndpoint"]["properties"]


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "javascript:alert(1)", "127.0.0.1:9000"]
)
def test_webhook_configure_rejects_non_http_url(url: str) -> None:
    body = {"url": url, "events": ["quota_warning"], "secret": "s"}

    assert not _validator("WebhookConfigure").is_valid(body)


@pytest.mark.parametrize("threshold", ["0.8", "0.05", 0.5])
def test_warning_threshold_accepts_fractions(threshold: object) -> None:
    assert _validator("Threshold").is_valid(threshold)


@pytest.mark.parametrize("threshold", ["0", "0.0", "1", "1.0", 0, 1, "0.", ".5", -0.1], ids=repr)
def test_warning_threshold_rejects_bounds_and_malformed(threshold: object) -> None:
    assert not _validator("Threshold").is_valid(threshold)


def test_webhook_test_accepts_exactly_one_organization_field() -> None:
    validator = _validator("WebhookTestRequest")

    assert validator.is_valid({"event_type": "test", "c_organization_id": "acme"})
    assert validator.is_valid({"event_type": "limit_exceeded", "organization_id": "acme"})
    assert not validator.is_valid({"event_type": "test"})
    assert not validator.is_valid({"event_type": "test", "c_organization_id": "a", "organization_id": "a"})


def test_webhooks_section_names_three_events() -> None:
    assert set(_document()["webhooks"]) == {"quota_warning", "limit_exceeded", "test"}


@pytest.mark.parametrize("event", ["quota_warning", "limit_exceeded", "test"])
def test_webhook_event_carries_signing_headers(event: str) -> None:
    document = _document()
    parameters = [_resolve(document, p) for p in document["webhooks"][event]["post"]["parameters"]]

    assert {p["name"] for p in parameters if p["in"] == "header" and p["required"]} == SIGNING_HEADERS


def test_webhook_payload_fields_match_decision() -> None:
    payload = _document()["components"]["schemas"]["WebhookEvent"]

    assert set(payload["required"]) == {
        "event_id",
        "type",
        "occurred_at",
        "scope",
        "c_organization_id",
        "c_team_id",
        "c_user_id",
        "spend",
        "quota",
        "remaining",
        "threshold",
    }


def test_spend_sentinel_example_is_marked_unavailable() -> None:
    examples = _document()["components"]["responses"]["SpendFound"]["content"]["application/json"]["examples"]
    unavailable = examples["unavailable"]["value"]

    assert unavailable["spend"] == "-1.0"
    assert unavailable["spend_status"] == "unavailable"


def test_health_answers_503_with_same_shape() -> None:
    responses = _operation(_document(), "getHealth")["responses"]

    healthy = responses["200"]["content"]["application/json"]["schema"]
    degraded = responses["503"]["content"]["application/json"]["schema"]
    assert degraded == healthy
