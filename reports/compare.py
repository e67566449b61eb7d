"""Static comparison of a target's OpenAPI document with the KMS contract.

The contract suite learns what a target does by calling it; this module reads
what the target documents, from the OpenAPI document it serves. Operations are
matched by method and path with path parameter names ignored, since the live
KMS may call ``{c_organization_id}`` something else.

Severity scale, most severe first:

- critical: a live or high-priority operation is missing, or a live
  operation's request or response field changed type, or a live response
  lost a field the spec requires. Callers break today.
- major: a medium-priority operation is missing. Also any parameter, body or
  field difference that breaks a caller who follows the spec: a new required
  input, a changed type, or a required output made optional.
- minor: a low-priority operation is missing; differences a caller can live
  with (an optional field or documented status code the target lacks, a
  requirement the target relaxes).
- info: the target has something the spec does not (extra operations,
  optional parameters, response fields, status codes).

Differences inside error response bodies (4xx, 5xx, default) are at most minor.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reports.schema_diff import FieldDifference, Side, compare_schemas, describe_types, resolve, type_set
from reports.target_document import RemoteTargetRejected, TargetDocumentError, load_target_document

__all__ = [
    "RemoteTargetRejected",
    "Severity",
    "TargetDocumentError",
    "compare_documents",
    "load_target_document",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PATH_PARAMETER = re.compile(r"\{([^}/]+)\}")


class Severity(str, enum.Enum):
    """Severity of a difference for a caller who follows the spec."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    INFO = "info"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


@dataclass(frozen=True)
class Operation:
    """One operation of one document, with its path-level parameters merged in."""

    document: Mapping[str, Any]
    method: str
    path: str
    node: Mapping[str, Any]
    parameters: dict[tuple[str, str], Mapping[str, Any]]

    @property
    def operation_id(self) -> str | None:
        value = self.node.get("operationId")
        return str(value) if value is not None else None

    @property
    def is_live(self) -> bool:
        return bool(self.node.get("x-kms-availability", "live") == "live")

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def normalise_path(path: str) -> str:
    """Replace every path parameter name with an empty placeholder."""
    return _PATH_PARAMETER.sub("{}", path)


def _parameter_key(parameter: Mapping[str, Any], renames: Mapping[str, str]) -> tuple[str, str]:
    location, name = str(parameter["in"]), str(parameter["name"])
    if location == "path":
        name = renames.get(name, name)
    if location == "header":
        # HTTP header names are case-insensitive (RFC 9110, section 5.1).
        name = name.lower()
    return location, name


def _collect_parameters(
    document: Mapping[str, Any],
    path_item: Mapping[str, Any],
    node: Mapping[str, Any],
    renames: Mapping[str, str],
) -> dict[tuple[str, str], Mapping[str, Any]]:
    parameters: dict[tuple[str, str], Mapping[str, Any]] = {}
    # Operation-level parameters override path-level ones with the same name and location.
    for raw in [*path_item.get("parameters", []), *node.get("parameters", [])]:
        parameter = resolve(document, raw)
        parameters[_parameter_key(parameter, renames)] = parameter
    return parameters


def index_operations(
    document: Mapping[str, Any], renames_for: Mapping[str, Mapping[str, str]] | None = None
) -> dict[tuple[str, str], Operation]:
    """Map (METHOD, normalised path) to each operation of a document."""
    operations = {}
    for path, raw_item in sorted(document.get("paths", {}).items()):
        path_item = resolve(document, raw_item)
        renames = (renames_for or {}).get(normalise_path(path), {})
        for method in HTTP_METHODS:
            if method in path_item:
                node = path_item[method]
                parameters = _collect_parameters(document, path_item, node, renames)
                operations[(method.upper(), normalise_path(path))] = Operation(
                    document, method.upper(), path, node, parameters
                )
    return operations


def _path_renames(spec: Mapping[str, Any], target: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """For each path both documents share, map the target's parameter names to the spec's by position."""
    spec_paths = {normalise_path(path): path for path in spec.get("paths", {})}
    renames = {}
    for path in target.get("paths", {}):
        spec_path = spec_paths.get(normalise_path(path))
        if spec_path is not None:
            pairs = zip(_PATH_PARAMETER.findall(path), _PATH_PARAMETER.findall(spec_path), strict=False)
            renames[normalise_path(path)] = dict(pairs)
    return renames


class _Differences:
    """Differences of one comparison, in the shape results.json stores."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(
        self, kind: str, operation: Operation, location: str, expected: str, actual: str, severity: Severity
    ) -> None:
        self.items.append(
            {
                "kind": kind,
                "operationId": operation.operation_id,
                "method": operation.method,
                "path": operation.path,
                "location": location,
                "expected": expected,
                "actual": actual,
                "severity": severity.value,
            }
        )


def _missing_operation_severity(operation: Operation) -> Severity:
    if operation.is_live:
        return Severity.CRITICAL
    priority = operation.node.get("x-kms-priority")
    return {"high": Severity.CRITICAL, "medium": Severity.MAJOR}.get(str(priority), Severity.MINOR)


def _expected_operation(operation: Operation) -> str:
    availability = operation.node.get("x-kms-availability", "live")
    priority = operation.node.get("x-kms-priority")
    if priority is None:
        return f"operation exists ({availability})"
    return f"operation exists ({availability}, priority {priority})"


def _breaking(operation: Operation) -> Severity:
    """Severity of a change that breaks a caller: critical where callers use the operation today."""
    return Severity.CRITICAL if operation.is_live else Severity.MAJOR


def _compare_parameters(spec_op: Operation, target_op: Operation, found: _Differences) -> None:
    for key in sorted(set(spec_op.parameters) | set(target_op.parameters)):
        location = f"{spec_op.label} {key[0]} parameter {key[1]}"
        spec_param, target_param = spec_op.parameters.get(key), target_op.parameters.get(key)
        if target_param is None:
            assert spec_param is not None
            suggested = spec_param.get("x-kms-availability") == "suggested"
            severity = Severity.MINOR if suggested else Severity.MAJOR
            found.add("parameter_missing", spec_op, location, "present", "absent", severity)
        elif spec_param is None:
            severity = Severity.MAJOR if target_param.get("required") else Severity.INFO
            found.add("parameter_extra", spec_op, location, "absent", _required(target_param), severity)
        else:
            _compare_parameter_pair(spec_op, spec_param, target_op, target_param, location, found)


def _required(parameter: Mapping[str, Any]) -> str:
    return "required" if parameter.get("required") else "optional"


def _compare_parameter_pair(
    spec_op: Operation,
    spec_param: Mapping[str, Any],
    target_op: Operation,
    target_param: Mapping[str, Any],
    location: str,
    found: _Differences,
) -> None:
    if bool(spec_param.get("required")) != bool(target_param.get("required")):
        severity = Severity.MAJOR if target_param.get("required") else Severity.MINOR
        found.add(
            "parameter_required_changed",
            spec_op,
            location,
            _required(spec_param),
            _required(target_param),
            severity,
        )
    spec_types = type_set(spec_op.document, spec_param.get("schema", {}))
    target_types = type_set(target_op.document, target_param.get("schema", {}))
    if spec_types and target_types and spec_types != target_types:
        found.add(
            "parameter_type_changed",
            spec_op,
            location,
            describe_types(spec_types),
            describe_types(target_types),
            _breaking(spec_op),
        )


def _json_schema(document: Mapping[str, Any], holder: Any) -> Any | None:
    """Return the JSON schema of a request body or response, or None when it has none."""
    content = resolve(document, holder).get("content", {})
    for media_type in sorted(content):
        if media_type == "application/json" or media_type.endswith("+json"):
            return content[media_type].get("schema")
    return None


def _request_field_severity(operation: Operation, difference: FieldDifference) -> Severity:
    if difference.change == "type_changed":
        return _breaking(operation)
    if difference.change == "missing":
        return Severity.MAJOR if difference.spec_required else Severity.MINOR
    if difference.change == "extra":
        return Severity.MAJOR if difference.target_required else Severity.INFO
    # required_changed: a target that newly requires a field rejects spec-following bodies.
    return Severity.MAJOR if difference.target_required else Severity.MINOR


def _response_field_severity(operation: Operation, difference: FieldDifference) -> Severity:
    if difference.change == "type_changed":
        return _breaking(operation)
    if difference.change == "missing":
        return _breaking(operation) if difference.spec_required else Severity.MINOR
    if difference.change == "extra":
        return Severity.INFO
    # required_changed: a field the spec promises may now be absent.
    return Severity.MAJOR if difference.spec_required else Severity.INFO


def _compare_bodies(
    spec_op: Operation,
    spec_schema: Any,
    target_op: Operation,
    target_schema: Any,
    where: str,
    found: _Differences,
) -> None:
    direction = "request" if where == "request body" else "response"
    grade = _request_field_severity if direction == "request" else _response_field_severity
    # Callers read error bodies for diagnosis, not for their next step, so their differences stay minor.
    is_error = where.startswith(("response 4", "response 5", "response default"))

    def report(difference: FieldDifference) -> None:
        severity = grade(spec_op, difference)
        if is_error and severity.rank < Severity.MINOR.rank:
            severity = Severity.MINOR
        found.add(
            f"{direction}_field_{difference.change}",
            spec_op,
            f"{spec_op.label} {where} {difference.path}",
            difference.expected,
            difference.actual,
            severity,
        )

    compare_schemas(
        Side(spec_op.document, spec_schema), Side(target_op.document, target_schema), "body", report
    )


def _compare_request_bodies(spec_op: Operation, target_op: Operation, found: _Differences) -> None:
    spec_body, target_body = spec_op.node.get("requestBody"), target_op.node.get("requestBody")
    location = f"{spec_op.label} request body"
    if spec_body is not None and target_body is None:
        found.add("request_body_missing", spec_op, location, "present", "absent", _breaking(spec_op))
    elif spec_body is None and target_body is not None:
        required = bool(resolve(target_op.document, target_body).get("required"))
        severity = Severity.MAJOR if required else Severity.INFO
        found.add("request_body_extra", spec_op, location, "absent", "present", severity)
    elif spec_body is not None and target_body is not None:
        spec_schema = _json_schema(spec_op.document, spec_body)
        target_schema = _json_schema(target_op.document, target_body)
        if spec_schema is not None and target_schema is not None:
            _compare_bodies(spec_op, spec_schema, target_op, target_schema, "request body", found)


def _compare_responses(spec_op: Operation, target_op: Operation, found: _Differences) -> None:
    spec_responses = spec_op.node.get("responses", {})
    target_responses = target_op.node.get("responses", {})
    for status in sorted(set(spec_responses) | set(target_responses), key=str):
        location = f"{spec_op.label} response {status}"
        if status not in target_responses:
            found.add("response_status_missing", spec_op, location, "documented", "absent", Severity.MINOR)
        elif status not in spec_responses:
            found.add("response_status_extra", spec_op, location, "absent", "documented", Severity.INFO)
        else:
            spec_schema = _json_schema(spec_op.document, spec_responses[status])
            target_schema = _json_schema(target_op.document, target_responses[status])
            if spec_schema is not None and target_schema is not None:
                _compare_bodies(spec_op, spec_schema, target_op, target_schema, f"response {status}", found)


def compare_documents(spec: dict[str, Any], target: dict[str, Any]) -> list[dict[str, Any]]:
    """List every difference between the contract and a target's OpenAPI document.

    Each item has kind, operationId, method, path, location, expected, actual and
    severity (see the module docstring for the scale), sorted most severe first.
    """
    spec_ops = index_operations(spec)
    target_ops = index_operations(target, _path_renames(spec, target))
    found = _Differences()

    for key, spec_op in spec_ops.items():
        target_op = target_ops.get(key)
        if target_op is None:
            expected = _expected_operation(spec_op)
            found.add(
                "operation_missing",
                spec_op,
                spec_op.label,
                expected,
                "absent",
                _missing_operation_severity(spec_op),
            )
            continue
        _compare_parameters(spec_op, target_op, found)
        _compare_request_bodies(spec_op, target_op, found)
        _compare_responses(spec_op, target_op, found)
    for key, target_op in target_ops.items():
        if key not in spec_ops:
            found.add(
                "operation_extra", target_op, target_op.label, "absent", "operation exists", Severity.INFO
            )

    return sorted(
        found.items,
        key=lambda item: (
            Severity(item["severity"]).rank,
            item["path"],
            item["method"],
            item["kind"],
            item["location"],
        ),
    )
