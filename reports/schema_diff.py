"""Field-by-field comparison of two JSON Schemas taken from two OpenAPI documents.

Each side resolves its own local ``$ref`` pointers, because the spec and the
target name their components differently (FastAPI derives names from Python
classes). Types are compared as sets, so ``anyOf: [string, null]`` and
``type: [string, "null"]`` count as the same type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# Deep enough for every schema of the KMS contract; guards against cyclic $refs.
MAX_DEPTH = 12


def resolve(document: Mapping[str, Any], node: Any) -> Any:
    """Follow local ``$ref`` pointers ("#/components/...") until a node has none."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and "$ref" in node:
        pointer = str(node["$ref"])
        if not pointer.startswith("#/") or pointer in seen:
            raise ValueError(f"cannot resolve $ref {pointer!r}: only acyclic local references are supported")
        seen.add(pointer)
        node = document
        for part in pointer[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _branches(document: Mapping[str, Any], schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    branches = [schema]
    for keyword in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(keyword, []):
            branches.extend(_branches(document, resolve(document, branch)))
    return branches


def type_set(document: Mapping[str, Any], schema: Any) -> frozenset[str]:
    """Return the JSON types a schema admits; empty means the schema declares no type."""
    schema = resolve(document, schema)
    if not isinstance(schema, Mapping):
        return frozenset()
    types: set[str] = set()
    for branch in _branches(document, schema):
        declared = branch.get("type")
        if isinstance(declared, str):
            types.add(declared)
        elif isinstance(declared, list):
            types.update(str(item) for item in declared)
        elif "properties" in branch:
            types.add("object")
    return frozenset(types)


def object_shape(document: Mapping[str, Any], schema: Any) -> tuple[dict[str, Any], set[str]]:
    """Return the properties and required names of a schema, merged over its branches."""
    properties: dict[str, Any] = {}
    required: set[str] = set()
    for branch in _branches(document, resolve(document, schema)):
        properties.update(branch.get("properties", {}))
        required.update(branch.get("required", []))
    return properties, required


def array_items(document: Mapping[str, Any], schema: Any) -> Any | None:
    """Return the items schema of an array schema or of its array branch."""
    for branch in _branches(document, resolve(document, schema)):
        if "items" in branch:
            return branch["items"]
    return None


def describe_types(types: frozenset[str]) -> str:
    """Format a type set the same way every time, e.g. "null|string"."""
    return "|".join(sorted(types)) or "any"


@dataclass(frozen=True)
class Side:
    """One document and one schema in it."""

    document: Mapping[str, Any]
    schema: Any


@dataclass(frozen=True)
class FieldDifference:
    """One difference found at a field path, before severity is assigned."""

    change: str  # missing, extra, type_changed, required_changed
    path: str
    expected: str
    actual: str
    spec_required: bool
    target_required: bool


Report = Callable[[FieldDifference], None]


def compare_schemas(spec: Side, target: Side, path: str, report: Report, depth: int = 0) -> None:
    """Walk both schemas together and report every field-level difference."""
    if depth > MAX_DEPTH:
        return
    spec_types = type_set(spec.document, spec.schema)
    target_types = type_set(target.document, target.schema)
    if spec_types and target_types and spec_types != target_types:
        report(
            FieldDifference(
                "type_changed", path, describe_types(spec_types), describe_types(target_types), False, False
            )
        )
        return
    if "object" in spec_types or "object" in target_types:
        _compare_objects(spec, target, path, report, depth)
    if "array" in spec_types and "array" in target_types:
        spec_items = array_items(spec.document, spec.schema)
        target_items = array_items(target.document, target.schema)
        if spec_items is not None and target_items is not None:
            compare_schemas(
                Side(spec.document, spec_items),
                Side(target.document, target_items),
                f"{path}[]",
                report,
                depth + 1,
            )


def _compare_objects(spec: Side, target: Side, path: str, report: Report, depth: int) -> None:
    spec_fields, spec_required = object_shape(spec.document, spec.schema)
    target_fields, target_required = object_shape(target.document, target.schema)
    for name in sorted(set(spec_fields) | set(target_fields)):
        field_path = f"{path}.{name}"
        in_spec, in_target = name in spec_required, name in target_required
        if name not in target_fields:
            report(FieldDifference("missing", field_path, "present", "absent", in_spec, in_target))
        elif name not in spec_fields:
            report(FieldDifference("extra", field_path, "absent", "present", in_spec, in_target))
        else:
            if in_spec != in_target:
                report(
                    FieldDifference(
                        "required_changed",
                        field_path,
                        _required_word(in_spec),
                        _required_word(in_target),
                        in_spec,
                        in_target,
                    )
                )
            compare_schemas(
                Side(spec.document, spec_fields[name]),
                Side(target.document, target_fields[name]),
                field_path,
                report,
                depth + 1,
            )


def _required_word(required: bool) -> str:
    return "required" if required else "optional"
