"""Every status the mock's store and HTTP layer can return is documented, with true examples."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

import spec
from mock_server.errors import Conflict, KmsError, PreconditionFailed
from mock_server.store import Store

# Error statuses each operation can return: 404 unknown resource, 409 duplicate, ambiguous
# team id or reused Idempotency-Key, 412 stale If-Match, 413 body over 1 MiB, 422 invalid
# body, path or query, 503 a degraded dependency.
ERROR_STATUSES = {
    "createOrganization": {"409", "413", "422"},
    "listOrganizations": set(),
    "getOrganization": {"404", "422"},
    "deleteOrganization": {"404", "422"},
    "updateOrganizationQuota": {"404", "412", "413", "422"},
    "incrementOrganizationQuota": {"404", "409", "413", "422"},
    "createTeam": {"404", "409", "413", "422"},
    "listTeams": {"422"},
    "getTeam": {"404", "409", "422"},
    "deleteTeam": {"404", "409", "422"},
    "updateTeamQuota": {"404", "409", "412", "413", "422"},
    "createKey": {"404", "409", "413", "422"},
    "listKeys": {"422"},
    "updateKey": {"404", "413", "422"},
    "getOrganizationSpend": {"404", "422"},
    "getTeamSpend": {"404", "409", "422"},
    "getTeamUserSpend": {"404", "409", "422"},
    "getUserSpend": {"404", "422"},
    "configureWebhook": {"413", "422"},
    "testWebhook": {"404", "413", "422"},
    "getHealth": {"503"},
}


def _document() -> dict[str, Any]:
    return spec.load_spec()


def _responses(document: dict[str, Any], operation_id: str) -> dict[str, Any]:
    for op in spec.operations(document):
        if op.operation_id == operation_id:
            responses: dict[str, Any] = document["paths"][op.path][op.method.lower()]["responses"]
            return responses
    raise AssertionError(f"operation {operation_id} is missing from the spec")


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _example_details(document: dict[str, Any], response: dict[str, Any]) -> list[str]:
    examples = _resolve(document, response)["content"]["application/json"]["examples"]
    return [example["value"]["detail"] for example in examples.values()]


def _error_message(action: Any) -> str:
    with pytest.raises(KmsError) as caught:
        action()
    return caught.value.detail


def test_table_covers_every_operation() -> None:
    operation_ids = {op.operation_id for op in spec.operations(_document())}

    assert set(ERROR_STATUSES) == operation_ids


@pytest.mark.parametrize(("operation_id", "statuses"), sorted(ERROR_STATUSES.items()))
def test_operation_documents_error_statuses(operation_id: str, statuses: set[str]) -> None:
    documented = set(_responses(_document(), operation_id))

    assert statuses <= documented, f"{operation_id} omits {sorted(statuses - documented)}"


def test_reused_idempotency_key_response_explains_itself() -> None:
    document = _document()
    response = _resolve(document, _responses(document, "incrementOrganizationQuota")["409"])

    assert "Idempotency-Key" in response["description"]
    assert "different amount" in response["description"]
    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_increment_conflict_examples_are_store_messages() -> None:
    document = _document()
    store = Store()
    store.create_organization("acme", "0")
    store.increment_organization_quota("acme", "1000.00", "recharge-2026-12-04-001")
    store.create_organization("full", "999999999999999900.00")

    def reuse() -> object:
        return store.increment_organization_quota("acme", "500", "recharge-2026-12-04-001")

    def overflow() -> object:
        return store.increment_organization_quota("full", "1000.00", "recharge-2026-12-04-002")

    with pytest.raises(Conflict):
        reuse()
    response = _responses(document, "incrementOrganizationQuota")["409"]
    expected = [_error_message(reuse), _error_message(overflow).replace("'full'", "'acme'")]
    assert _example_details(document, response) == expected


def test_ambiguous_team_example_is_store_message() -> None:
    document = _document()
    store = Store()
    for org_id in ("acme", "globex"):
        store.create_organization(org_id, "10")
        store.create_team(org_id, "research", "1")

    details = _example_details(document, _responses(document, "getTeam")["409"])

    assert details == [_error_message(lambda: store.get_team("research"))]


def test_stale_if_match_example_is_store_message() -> None:
    document = _document()
    store = Store()
    store.create_organization("acme", "10")
    store.set_organization_quota("acme", "20")
    store.set_organization_quota("acme", "30")

    def stale_update() -> object:
        return store.set_organization_quota("acme", "40", if_match='"org-1-v2"')

    with pytest.raises(PreconditionFailed):
        stale_update()
    details = _example_details(document, _responses(document, "updateOrganizationQuota")["412"])
    assert details == [_error_message(stale_update)]


def test_error_examples_match_error_schema() -> None:
    document = _document()
    validator = Draft202012Validator(
        {"$ref": "#/components/schemas/Error", "components": document["components"]}
    )
    responses = [
        _responses(document, "incrementOrganizationQuota")["409"],
        _responses(document, "getTeam")["409"],
        _responses(document, "updateOrganizationQuota")["412"],
    ]

    for response in responses:
        for detail in _example_details(document, response):
            assert list(validator.iter_errors({"detail": detail})) == []


def test_deleted_team_spend_rule_documented() -> None:
    document = _document()
    operations = {op.operation_id: op for op in spec.operations(document)}
    spend = operations["getOrganizationSpend"]
    delete = operations["deleteTeam"]

    spend_text = document["paths"][spend.path]["get"]["description"]
    delete_text = document["paths"][delete.path]["delete"]["description"]
    assert "deleted with their team" in spend_text
    assert "stays in the organization's spend" in delete_text
