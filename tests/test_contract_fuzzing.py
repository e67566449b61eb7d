"""Generated cases are made recognisable and harmless; the state machine gets only sendable operations."""

from __future__ import annotations

import itertools

import spec
from contract_tests.fuzzing import (
    WEBHOOK_MAX_EXAMPLES,
    FuzzSettings,
    examples_for,
    only_operations,
    operations_by_id,
    prepare_case,
)
from contract_tests.runner import _schemathesis_schema

PREFIX = "kmsct-abc123"
RECEIVER_URL = "http://127.0.0.1:45678/kmsct-webhook"
OPERATIONS = operations_by_id(_schemathesis_schema(spec.load_spec()))


def fuzz(first_serial: int = 0) -> FuzzSettings:
    return FuzzSettings(25, 1, PREFIX, RECEIVER_URL, itertools.count(first_serial))


def test_create_ids_get_prefix_and_serial() -> None:
    case = OPERATIONS["createTeam"].Case(body={"c_organization_id": "acme", "c_team_id": "t", "quota": "1"})

    prepare_case(case, fuzz(7))

    assert case.body["c_organization_id"] == f"{PREFIX}-7-acme"
    assert case.body["c_team_id"] == f"{PREFIX}-8-t"
    assert case.body["quota"] == "1"


def test_prefixed_ids_stay_unchanged() -> None:
    case = OPERATIONS["createTeam"].Case(body={"c_organization_id": f"{PREFIX}-1-acme", "c_team_id": "t"})

    prepare_case(case, fuzz())

    assert case.body["c_organization_id"] == f"{PREFIX}-1-acme"


def test_prefixed_id_fits_max_length() -> None:
    case = OPERATIONS["createOrganization"].Case(body={"c_organization_id": "x" * 128, "quota": "1"})

    prepare_case(case, fuzz())

    assert len(case.body["c_organization_id"]) == 128
    assert case.body["c_organization_id"].startswith(PREFIX)


def test_webhook_url_points_at_receiver() -> None:
    body = {"url": "https://hooks.example.com/x", "events": ["test"], "secret": "s"}
    case = OPERATIONS["configureWebhook"].Case(body=body)

    prepare_case(case, fuzz())

    assert case.body["url"] == RECEIVER_URL


def test_webhook_examples_are_capped() -> None:
    assert examples_for("configureWebhook", 25) == WEBHOOK_MAX_EXAMPLES
    assert examples_for("configureWebhook", 1) == 1
    assert examples_for("createOrganization", 25) == 25


def test_non_http_webhook_url_kept_for_negative_case() -> None:
    case = OPERATIONS["configureWebhook"].Case(body={"url": "ftp://x", "events": ["test"], "secret": "s"})

    prepare_case(case, fuzz())

    assert case.body["url"] == "ftp://x"


def test_only_operations_keeps_requested() -> None:
    keep = frozenset({"createOrganization", "getOrganization", "listOrganizations"})

    pruned = only_operations(spec.load_spec(), keep)

    kept = {operation.operation_id for operation in spec.operations(pruned)}
    assert kept == keep


def test_only_operations_drops_dangling_links() -> None:
    keep = frozenset({"createOrganization", "getOrganization"})

    pruned = only_operations(spec.load_spec(), keep)

    schema = _schemathesis_schema(pruned)
    assert schema.as_state_machine() is not None
    named = pruned.get("components", {}).get("links", {})
    responses = pruned["paths"]["/organizations/"]["post"]["responses"]
    links = [link for response in responses.values() for link in response.get("links", {}).values()]
    targets = {
        named[link["$ref"].rsplit("/", 1)[-1]]["operationId"] if "$ref" in link else link["operationId"]
        for link in links
    }
    assert targets == {"getOrganization"}
