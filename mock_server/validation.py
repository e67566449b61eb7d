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

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jsonschema_rs

from mock_server.composite_errors import describe_composite, walk

DIALECT = "https://json-schema.org/draft/2020-12/schema"

ErrorDetail = dict[str, Any]
Loc = tuple[str | int, ...]


class SchemaValidator:
    """One compiled schema plus the spec location it came from, for error messages."""

    __slots__ = ("_root", "_validator", "pointer", "schema")

    def __init__(self, schema: Mapping[str, Any], components: Mapping[str, Any], pointer: str) -> None:
        self._root = wrap_schema(schema, components)
        # Formats (uri, date-time) are asserted, as a FastAPI service with typed fields would.
        self._validator = jsonschema_rs.validator_for(self._root, validate_formats=True)
        self.schema = schema
        self.pointer = pointer

    def at(self, pointer: str) -> SchemaValidator:
        """Return a validator sharing this compiled schema, reporting errors at another spec location."""
        moved = copy.copy(self)
        moved.pointer = pointer
        return moved

    def is_valid(self, instance: object) -> bool:
        """Return whether `instance` satisfies the schema."""
        return bool(self._validator.is_valid(instance))

    def errors(self, instance: object, loc: Loc) -> list[ErrorDetail]:
        """Return every violation as a FastAPI validation error entry under `loc`."""
        entries: list[ErrorDetail] = []
        for error in self._validator.iter_errors(instance):
            entries.extend(describe_error(error, loc, self._root))
        return without_redundant(entries)

    def first_violation(self, instance: object) -> str | None:
        """Return 'message at schema-pointer' for the first violation, or None when valid."""
        for error in self._validator.iter_errors(instance):
            return f"{error.message} (schema {self.pointer}{schema_suffix(error.schema_path)})"
        return None


def wrap_schema(schema: Mapping[str, Any], components: Mapping[str, Any]) -> dict[str, Any]:
    """Wrap `schema` so that its `$ref`s to `#/components/...` resolve against `components`."""
    return {"$schema": DIALECT, "allOf": [schema], "components": components}


def without_redundant(entries: list[ErrorDetail]) -> list[ErrorDetail]:
    """Drop a pattern error on a field that already has a length error, as pydantic reports one."""
    too_long_or_short = {
        tuple(entry["loc"]) for entry in entries if entry["type"] in ("string_too_long", "string_too_short")
    }
    return [
        entry
        for entry in entries
        if not (entry["type"] == "string_pattern_mismatch" and tuple(entry["loc"]) in too_long_or_short)
    ]


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


def describe_error(error: Any, loc: Loc, root: Mapping[str, Any]) -> list[ErrorDetail]:
    """Translate one jsonschema-rs error into FastAPI's {type, loc, msg, input} entries."""
    kind = error.kind
    full_loc = (*loc, *error.instance_path)
    if kind.name in ("anyOf", "oneOf"):
        return describe_composite(error, root, full_loc, lambda sub: describe_error(sub, loc, root)[0])
    describe = _DESCRIBERS.get(kind.name)
    if describe is None:
        return [{"type": "value_error", "loc": list(full_loc), "msg": error.message, "input": error.instance}]
    error_type, message, extra_loc, ctx = describe(kind.as_dict())
    if error_type == "string_pattern_mismatch":
        message = id_pattern_message(error.instance, walk(root, list(error.schema_path)[:-1])) or message
    elif error_type == "string_too_long":
        message = f"{message}, but has {len(error.instance)}"
    entry: ErrorDetail = {
        "type": error_type,
        "loc": [*full_loc, *extra_loc],
        "msg": message,
        "input": None if error_type == "missing" else error.instance,
    }
    if ctx:
        entry["ctx"] = ctx
    return [entry]


def id_pattern_message(value: object, schema: Mapping[str, Any]) -> str | None:
    """Say which id rule a string breaks (a "/", a control character, "." or ".."), with an example."""
    if not isinstance(value, str) or "\\x00-\\x1f" not in str(schema.get("pattern", "")):
        return None
    control = next((char for char in value if ord(char) < 0x20 or ord(char) == 0x7F), None)
    if "/" in value:
        problem = 'contains "/"'
    elif control is not None:
        problem = f"contains the control character U+{ord(control):04X}"
    elif value in (".", ".."):
        problem = f'is "{value}", which URL clients remove from paths'
    else:
        return None
    examples = [example for example in schema.get("examples") or [] if isinstance(example, str)]
    example = f', e.g. "{examples[0]}"' if examples else ""
    return f'String should be an id without "/" or control characters{example}, but it {problem}'


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
    quoted = [repr(option) for option in details["options"]]
    options = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
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
