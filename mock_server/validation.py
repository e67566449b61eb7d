"""Compiled JSON Schema validators that report errors in FastAPI's shape.

The mock validates requests with jsonschema-rs instead of pydantic models: the
schemas come straight from the OpenAPI document, so there is no second copy of
the contract to drift, and a compiled validator is fast enough for the request
path. Each schema is compiled once, at start-up, wrapped so that its `$ref`s to
`#/components/...` resolve against the document's components.

Request JSON is parsed with `parse_float=Decimal`. jsonschema-rs (0.60) checks
`Decimal` values as exact JSON numbers (`minimum`, `exclusiveMaximum`, `type:
integer`), so money is never turned into a float, not even for validation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jsonschema_rs

DIALECT = "https://json-schema.org/draft/2020-12/schema"

ErrorDetail = dict[str, Any]
Loc = tuple[str | int, ...]


class SchemaValidator:
    """One compiled schema plus the spec location it came from, for error messages."""

    __slots__ = ("_validator", "pointer", "schema")

    def __init__(
        self, schema: Mapping[str, Any], components: Mapping[str, Any], pointer: str, compiled: Any = None
    ) -> None:
        self._validator = compiled if compiled is not None else compile_schema(schema, components)
        self.schema = schema
        self.pointer = pointer

    def at(self, pointer: str) -> SchemaValidator:
        """Return a validator sharing this compiled schema, reporting errors at another spec location."""
        return SchemaValidator(self.schema, {}, pointer, compiled=self._validator)

    def is_valid(self, instance: object) -> bool:
        """Return whether `instance` satisfies the schema."""
        return bool(self._validator.is_valid(instance))

    def errors(self, instance: object, loc: Loc) -> list[ErrorDetail]:
        """Return every violation as a FastAPI validation error entry under `loc`."""
        return [describe_error(error, loc) for error in self._validator.iter_errors(instance)]

    def first_violation(self, instance: object) -> str | None:
        """Return 'message at schema-pointer' for the first violation, or None when valid."""
        for error in self._validator.iter_errors(instance):
            return f"{error.message} (schema {self.pointer}{schema_suffix(error.schema_path)})"
        return None


def compile_schema(schema: Mapping[str, Any], components: Mapping[str, Any]) -> Any:
    """Compile `schema` so that its `$ref`s to `#/components/...` resolve against `components`."""
    wrapped = {"$schema": DIALECT, "allOf": [schema], "components": components}
    # Formats (uri, date-time) are asserted, as a FastAPI service with typed fields would.
    return jsonschema_rs.validator_for(wrapped, validate_formats=True)


def schema_suffix(schema_path: Sequence[str | int]) -> str:
    """Turn a jsonschema-rs schema path into a JSON pointer suffix, without our allOf wrapper."""
    parts = list(schema_path)
    if parts[:2] == ["allOf", 0]:
        parts = parts[2:]
        return "".join(f"/{escape_pointer(str(part))}" for part in parts)
    return " -> #" + "".join(f"/{escape_pointer(str(part))}" for part in parts)


def escape_pointer(token: str) -> str:
    """Escape one JSON pointer token (RFC 6901, section 3)."""
    return token.replace("~", "~0").replace("/", "~1")


def describe_error(error: Any, loc: Loc) -> ErrorDetail:
    """Translate one jsonschema-rs error into FastAPI's {type, loc, msg, input} entry."""
    kind = error.kind
    details = kind.as_dict()
    full_loc = (*loc, *error.instance_path)
    describe = _DESCRIBERS.get(kind.name)
    if describe is None:
        return {"type": "value_error", "loc": list(full_loc), "msg": error.message, "input": error.instance}
    error_type, message, extra_loc, ctx = describe(details)
    entry: ErrorDetail = {
        "type": error_type,
        "loc": [*full_loc, *extra_loc],
        "msg": message,
        "input": None if error_type == "missing" else error.instance,
    }
    if ctx:
        entry["ctx"] = ctx
    return entry


Described = tuple[str, str, tuple[str, ...], dict[str, Any]]


def _required(details: dict[str, Any]) -> Described:
    return "missing", "Field required", (str(details["property"]),), {}


def _type(details: dict[str, Any]) -> Described:
    types = [name for name in details["types"] if name != "null"] or ["null"]
    names = {"integer": "int", "number": "float", "boolean": "bool", "object": "dict", "array": "list"}
    first = names.get(types[0], types[0])
    return f"{first}_type", f"Input should be a valid {' or '.join(types)}", (), {}


def _pattern(details: dict[str, Any]) -> Described:
    pattern = details["pattern"]
    return "string_pattern_mismatch", f"String should match pattern '{pattern}'", (), {"pattern": pattern}


def _min_length(details: dict[str, Any]) -> Described:
    limit = details["limit"]
    message = f"String should have at least {limit} character{'s' if limit != 1 else ''}"
    return "string_too_short", message, (), {"min_length": limit}


def _max_length(details: dict[str, Any]) -> Described:
    limit = details["limit"]
    return "string_too_long", f"String should have at most {limit} characters", (), {"max_length": limit}


def _enum(details: dict[str, Any]) -> Described:
    options = " or ".join(repr(option) for option in details["options"])
    return "enum", f"Input should be {options}", (), {"expected": options}


def _additional(details: dict[str, Any]) -> Described:
    unexpected = details["unexpected"]
    return "extra_forbidden", "Extra inputs are not permitted", (str(unexpected[0]),), {}


def _bound(error_type: str, relation: str) -> Callable[[dict[str, Any]], Described]:
    def describe(details: dict[str, Any]) -> Described:
        limit = details["limit"]
        return error_type, f"Input should be {relation} {limit}", (), {"limit": limit}

    return describe


_DESCRIBERS: dict[str, Callable[[dict[str, Any]], Described]] = {
    "required": _required,
    "type": _type,
    "pattern": _pattern,
    "minLength": _min_length,
    "maxLength": _max_length,
    "enum": _enum,
    "additionalProperties": _additional,
    "minimum": _bound("greater_than_equal", "greater than or equal to"),
    "maximum": _bound("less_than_equal", "less than or equal to"),
    "exclusiveMinimum": _bound("greater_than", "greater than"),
    "exclusiveMaximum": _bound("less_than", "less than"),
}
