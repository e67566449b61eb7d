"""The contract's operations, their annotations and their links."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from schemathesis.core.errors import InvalidStateMachine

import spec

# The design's operation table plus the one suggested operation. This table is the requirement itself.
EXPECTED_OPERATIONS = {
    ("createOrganization", "POST", "/organizations/", "live", None),
    ("listOrganizations", "GET", "/organizations/", "live", None),
    ("getOrganization", "GET", "/organizations/{c_organization_id}", "proposed", "high"),
    ("updateOrganizationQuota", "PUT", "/organizations/{c_organization_id}/quota", "proposed", "high"),
    ("deleteOrganization", "DELETE", "/organizations/{c_organization_id}", "proposed", "low"),
    ("createTeam", "POST", "/teams/", "live", None),
    ("listTeams", "GET", "/teams/", "live", None),
    ("getTeam", "GET", "/teams/{c_team_id}", "proposed", "medium"),
    ("updateTeamQuota", "PUT", "/teams/{c_team_id}/quota", "proposed", "medium"),
    ("deleteTeam", "DELETE", "/teams/{c_team_id}", "proposed", "low"),
    ("createKey", "POST", "/keys/", "live", None),
    ("listKeys", "GET", "/keys/", "live", None),
    ("updateKey", "PUT", "/keys/{key_id}", "live", None),
    ("getOrganizationSpend", "GET", "/spend/org/{c_organization_id}", "live", None),
    ("getTeamSpend", "GET", "/spend/team/{c_team_id}", "live", None),
    ("getTeamUserSpend", "GET", "/spend/team-user/{c_team_id}/{c_user_id}", "live", None),
    ("getUserSpend", "GET", "/spend/user/{c_user_id}", "live", None),
    ("configureWebhook", "POST", "/webhooks/configure", "proposed", "high"),
    ("testWebhook", "POST", "/webhooks/test", "proposed", "medium"),
    ("getHealth", "GET", "/health", "proposed", "high"),
    (
        "incrementOrganizationQuota",
        "POST",
        "/organizations/{c_organization_id}/quota/increments",
        "suggested",
        "medium",
    ),
}

EXPECTED_QUERY_PARAMETERS = {
    "listTeams": {"c_organization_id"},
    "listKeys": {"c_organization_id", "c_team_id"},
    "getTeam": {"c_organization_id"},
    "updateTeamQuota": {"c_organization_id"},
    "deleteTeam": {"c_organization_id"},
    "getTeamSpend": {"c_organization_id"},
    "getTeamUserSpend": {"c_organization_id"},
    "getUserSpend": {"c_organization_id"},
}

EXPECTED_LINKS = {
    "createOrganization": {
        "getOrganization",
        "getOrganizationSpend",
        "updateOrganizationQuota",
        "createTeam",
        "createKey",
    },
    "createTeam": {"getTeam", "getTeamSpend", "updateTeamQuota"},
    "createKey": {"updateKey"},
}

HAS_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _operations() -> list[spec.Operation]:
    return spec.operations(spec.load_spec())


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def test_operation_table_matches_design() -> None:
    actual = {(op.operation_id, op.method, op.path, op.availability, op.priority) for op in _operations()}

    assert actual == EXPECTED_OPERATIONS


def test_operation_ids_are_unique() -> None:
    ids = [op.operation_id for op in _operations()]

    assert len(ids) == len(set(ids))


def test_query_parameters_match_design() -> None:
    document = spec.load_spec()
    actual = {}
    for op in _operations():
        names = {p["name"] for p in _parameters(document, op) if p["in"] == "query"}
        if names:
            actual[op.operation_id] = names

    assert actual == EXPECTED_QUERY_PARAMETERS


def _parameters(document: dict[str, Any], op: spec.Operation) -> list[dict[str, Any]]:
    item = document["paths"][op.path]
    shared = item.get("parameters", [])
    own = item[op.method.lower()].get("parameters", [])
    return [_resolve(document, parameter) for parameter in [*shared, *own]]


@pytest.mark.parametrize("op", [op for op in _operations() if op.availability != "live"], ids=str)
def test_non_live_operation_has_priority_and_workaround(op: spec.Operation) -> None:
    assert op.priority in ("high", "medium", "low")
    assert op.workaround is not None
    assert set(op.workaround) == {"en", "zh-CN"}
    for language in ("en", "zh-CN"):
        assert set(op.workaround[language]) == {"approach", "cost"}
        assert all(len(text.strip()) > 20 for text in op.workaround[language].values())


@pytest.mark.parametrize("op", [op for op in _operations() if op.availability != "live"], ids=str)
def test_workaround_is_in_both_languages(op: spec.Operation) -> None:
    assert op.workaround is not None
    english, chinese = op.workaround["en"], op.workaround["zh-CN"]

    assert not HAS_CHINESE.search(english["approach"] + english["cost"])
    assert HAS_CHINESE.search(chinese["approach"])
    assert HAS_CHINESE.search(chinese["cost"])


def test_live_operations_have_no_priority_or_workaround() -> None:
    document = spec.load_spec()
    annotated = [
        op.operation_id
        for op in _operations()
        if op.availability == "live"
        and {"x-kms-priority", "x-kms-workaround"} & set(document["paths"][op.path][op.method.lower()])
    ]

    assert annotated == []


def test_every_operation_has_summary_description_and_tags() -> None:
    document = spec.load_spec()
    incomplete = [
        op.operation_id
        for op in _operations()
        if not all(
            document["paths"][op.path][op.method.lower()].get(key)
            for key in ("summary", "description", "tags")
        )
    ]

    assert incomplete == []


def test_live_view_keeps_only_live_operations() -> None:
    live = spec.operations(spec.view(spec.load_spec(), "live"))
    expected = {op[0] for op in EXPECTED_OPERATIONS if op[3] == "live"}

    assert {op.operation_id for op in live} == expected


def _links(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """List (source operationId, status, link) for every link under paths."""
    found = []
    for op in spec.operations(document):
        responses = document["paths"][op.path][op.method.lower()]["responses"]
        for status, response in responses.items():
            for link in _resolve(document, response).get("links", {}).values():
                found.append((op.operation_id, status, _resolve(document, link)))
    return found


def test_links_connect_design_producers_to_consumers() -> None:
    actual: dict[str, set[str]] = {}
    for source, _, link in _links(spec.load_spec()):
        actual.setdefault(source, set()).add(link["operationId"])

    assert actual == EXPECTED_LINKS


def test_live_creates_link_on_both_success_statuses() -> None:
    statuses = {(source, status) for source, status, _ in _links(spec.load_spec())}

    for source in EXPECTED_LINKS:
        assert (source, "201") in statuses
        assert (source, "200") in statuses


def link_problems(document: dict[str, Any]) -> list[str]:
    """Describe each link whose target operation, parameter or body field does not exist."""
    operations = {op.operation_id: op for op in spec.operations(document)}
    problems = []
    for source, status, link in _links(document):
        label = f"{source} {status} -> {link.get('operationId')}"
        target = operations.get(link.get("operationId", ""))
        if target is None:
            problems.append(f"{label}: no such operationId")
            continue
        problems += [f"{label}: {problem}" for problem in _target_problems(document, target, link)]
    return problems


def _target_problems(document: dict[str, Any], target: spec.Operation, link: dict[str, Any]) -> list[str]:
    declared = {(p["in"], p["name"]) for p in _parameters(document, target)}
    problems = []
    for key in link.get("parameters", {}):
        location, _, name = key.rpartition(".")
        if not any(name == known and location in ("", place) for place, known in declared):
            problems.append(f"parameter {key!r} is not declared")
    body_fields = set(_body_properties(document, target))
    for field in link.get("requestBody", {}):
        if field not in body_fields:
            problems.append(f"request body field {field!r} is not in the target's schema")
    return problems


def _body_properties(document: dict[str, Any], op: spec.Operation) -> dict[str, Any]:
    body = document["paths"][op.path][op.method.lower()].get("requestBody")
    if body is None:
        return {}
    schema = _resolve(document, _resolve(document, body)["content"]["application/json"]["schema"])
    properties: dict[str, Any] = schema.get("properties", {})
    return properties


def test_links_name_existing_targets_and_fields() -> None:
    assert link_problems(spec.load_spec()) == []


def test_link_to_unknown_parameter_is_reported() -> None:
    document = spec.load_spec()
    document["components"]["links"]["TeamToGet"]["parameters"]["query.c_org"] = (
        "$response.body#/c_organization_id"
    )

    problems = link_problems(document)

    assert "createTeam 201 -> getTeam: parameter 'query.c_org' is not declared" in problems


def test_link_to_unknown_body_field_is_reported() -> None:
    document = spec.load_spec()
    document["components"]["links"]["OrganizationToCreateKey"]["requestBody"]["organization"] = (
        "$response.body#/id"
    )

    problems = link_problems(document)

    assert (
        "createOrganization 201 -> createKey: request body field 'organization' is not in the target's schema"
        in problems
    )


def test_link_to_unknown_operation_is_reported() -> None:
    document = spec.load_spec()
    document["components"]["links"]["KeyToUpdate"]["operationId"] = "patchKey"

    problems = link_problems(document)

    assert "createKey 201 -> patchKey: no such operationId" in problems


def test_schemathesis_accepts_every_link() -> None:
    # schemathesis 4 checks every link when it builds the state machine and raises
    # InvalidStateMachine for one it cannot follow, so building it is the proof
    # that the stateful phase can use them.
    machine = schemathesis.openapi.from_dict(spec.load_spec()).as_state_machine()

    assert "POST_organizations___201_CreateTeam__POST_teams_" in vars(machine)
    assert "POST_keys___201_UpdateKey__PUT_keys_key_id_" in vars(machine)


def test_schemathesis_rejects_link_to_unknown_operation() -> None:
    document = spec.load_spec()
    document["components"]["links"]["KeyToUpdate"]["operationId"] = "patchKey"
    schema = schemathesis.openapi.from_dict(document)

    with pytest.raises(InvalidStateMachine, match="patchKey"):
        schema.as_state_machine()
