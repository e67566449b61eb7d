"""Readable 422 messages for the schema shapes whose raw jsonschema text is vague.

jsonschema reports a failed `anyOf` or `oneOf` as "... is not valid under any
of the schemas listed", which names neither the field at fault nor the form
expected. The contract uses three such shapes, recognised here by structure
(not by schema name, so a renamed component keeps its message):

- a number or a decimal string (money, thresholds): say which numbers and
  strings are accepted, with an example;
- "exactly one of" alternatives (`quota` / `new_quota`): say to send one,
  naming deprecated aliases;
- alternatives chosen by a `const` discriminator (`key_type`): say which fields
  that value needs set or null.

A describer returns no entry when another entry of the same 422 already
explains the problem, for example an unknown `key_type`, which the enum error
lists.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

ErrorDetail = dict[str, Any]
Loc = tuple[str | int, ...]
# Describes one error of an alternative, at that error's own location.
SubDescriber = Callable[[Any], "ErrorDetail"]


def walk(root: Mapping[str, Any], path: Sequence[str | int]) -> Any:
    """Follow a jsonschema-rs schema path through the wrapped schema, resolving local `$ref`s."""
    node: Any = root
    for part in path:
        node = resolve(root, node)
        node = node[part]
    return resolve(root, node)


def resolve(root: Mapping[str, Any], node: Any) -> Any:
    """Follow `$ref` chains of the form `#/a/b` inside `root`; other nodes pass unchanged."""
    for _ in range(32):
        if not isinstance(node, Mapping) or not isinstance(node.get("$ref"), str):
            return node
        target: Any = root
        for token in node["$ref"].removeprefix("#/").split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def describe_composite(error: Any, root: Mapping[str, Any], loc: Loc, sub: SubDescriber) -> list[ErrorDetail]:
    """Describe a failed anyOf/oneOf at `loc`; an empty list means another entry explains it."""
    path = list(error.schema_path)
    parent = walk(root, path[:-1])
    branches = [resolve(root, branch) for branch in parent[path[-1]]]
    instance = error.instance
    nullable = [index for index, branch in enumerate(branches) if branch.get("type") != "null"]
    if len(branches) == 2 and len(nullable) == 1:
        # "X or null" with a non-null value: report why it is not an X, as a typed field would.
        return [sub(branch_error) for branch_error in error.kind.as_dict()["context"][nullable[0]]]
    number, text = number_and_string(branches)
    if number is not None and text is not None:
        return [decimal_error(instance, loc, number, text, parent)]
    names = exactly_one_names(branches)
    if names:
        return [exactly_one_error(instance, loc, names, parent, root)]
    discriminator = discriminator_of(branches)
    if discriminator is not None:
        return discriminated_error(instance, loc, discriminator, branches)
    return [{"type": "value_error", "loc": list(loc), "msg": error.message, "input": instance}]


def number_and_string(branches: Sequence[Mapping[str, Any]]) -> tuple[Any, Any]:
    """Return the (number branch, pattern string branch) of a number-or-decimal-string schema."""
    if len(branches) != 2:
        return None, None
    number = next((branch for branch in branches if branch.get("type") == "number"), None)
    text = next(
        (branch for branch in branches if branch.get("type") == "string" and "pattern" in branch), None
    )
    return number, text


def decimal_error(
    instance: object, loc: Loc, number: Mapping[str, Any], text: Mapping[str, Any], parent: Mapping[str, Any]
) -> ErrorDetail:
    """Say which numbers and decimal strings the field accepts, with an example."""
    example = decimal_example(parent, number)
    message = f"Input should be a {number_phrase(number)}, or a decimal string such as {json.dumps(example)}"
    if isinstance(instance, str):
        return {
            "type": "string_pattern_mismatch",
            "loc": list(loc),
            "msg": message,
            "input": instance,
            "ctx": {"pattern": text["pattern"]},
        }
    is_number = isinstance(instance, (int, Decimal, float)) and not isinstance(instance, bool)
    error_type = number_bound_type(instance, number) if is_number else "decimal_type"
    return {"type": error_type, "loc": list(loc), "msg": message, "input": instance}


def number_phrase(number: Mapping[str, Any]) -> str:
    """Describe a number schema's bounds, e.g. "non-negative decimal number below 10^18"."""
    words = "decimal number"
    if number.get("minimum") == 0:
        words = "non-negative " + words
    limits = []
    if "exclusiveMinimum" in number:
        limits.append(f"above {compact(number['exclusiveMinimum'])}")
    if "exclusiveMaximum" in number:
        limits.append(f"below {compact(number['exclusiveMaximum'])}")
    if "maximum" in number:
        limits.append(f"at most {compact(number['maximum'])}")
    return " ".join([words, " and ".join(limits)]).strip()


def compact(limit: object) -> str:
    """Write 1000000000000000000 as 10^18, so a bound stays readable; other limits as they are."""
    text = str(limit)
    if text.startswith("1") and set(text[1:]) == {"0"} and len(text) > 6:
        return f"10^{len(text) - 1}"
    return text


def number_bound_type(instance: Any, number: Mapping[str, Any]) -> str:
    """Pick pydantic's error type for the bound a number breaks."""
    value = Decimal(str(instance))
    if "minimum" in number and value < Decimal(str(number["minimum"])):
        return "greater_than_equal"
    if "exclusiveMinimum" in number and value <= Decimal(str(number["exclusiveMinimum"])):
        return "greater_than"
    if "maximum" in number and value > Decimal(str(number["maximum"])):
        return "less_than_equal"
    return "less_than"


def decimal_example(parent: Mapping[str, Any], number: Mapping[str, Any]) -> str:
    """Pick a string example from the schema, preferring one with a fraction; else the midpoint."""
    strings = [example for example in parent.get("examples") or [] if isinstance(example, str)]
    with_fraction = [example for example in strings if "." in example]
    if with_fraction or strings:
        return (with_fraction or strings)[0]
    low = Decimal(str(number.get("exclusiveMinimum", number.get("minimum", 0))))
    high = number.get("exclusiveMaximum", number.get("maximum"))
    return str((low + Decimal(str(high))) / 2) if high is not None else str(low + 1)


def exactly_one_names(branches: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return the field names of `oneOf: [{required: [a]}, {required: [b]}]`, else []."""
    names = []
    for branch in branches:
        required = branch.get("required")
        if set(branch) != {"required"} or not isinstance(required, list) or len(required) != 1:
            return []
        names.append(str(required[0]))
    return names


def exactly_one_error(
    instance: object, loc: Loc, names: list[str], parent: Mapping[str, Any], root: Mapping[str, Any]
) -> ErrorDetail:
    """Say to send exactly one of the alternative fields, naming deprecated aliases."""
    properties = parent.get("properties") or {}
    sent = [name for name in names if isinstance(instance, Mapping) and name in instance]
    quoted = " or ".join(f'"{name}"' for name in names)
    problem = f"got {' and '.join(sent)}" if sent else "got none of them"
    aliases = [name for name in names if (properties.get(name) or {}).get("deprecated")]
    canonical = next((name for name in names if name not in aliases), names[0])
    note = "".join(f" ({alias} is a deprecated alias of {canonical})" for alias in aliases)
    example = {canonical: field_example(root, properties.get(canonical))}
    message = f"Value error, send exactly one of {quoted}{note}, {problem}; e.g. {json.dumps(example)}"
    return {"type": "value_error", "loc": list(loc), "msg": message, "input": instance}


def field_example(root: Mapping[str, Any], schema: object) -> object:
    """Return a schema's first string example (preferring one with a fraction), or "..."."""
    resolved = resolve(root, schema) or {}
    strings = [example for example in resolved.get("examples") or [] if isinstance(example, str)]
    with_fraction = [example for example in strings if "." in example]
    return (with_fraction or strings or ["..."])[0]


def discriminator_of(branches: Sequence[Mapping[str, Any]]) -> str | None:
    """Return the property every branch fixes with `const`, such as `key_type`, else None."""
    common: set[str] | None = None
    for branch in branches:
        consts = {name for name, schema in (branch.get("properties") or {}).items() if "const" in schema}
        common = consts if common is None else common & consts
    return sorted(common)[0] if common else None


def discriminated_error(
    instance: object, loc: Loc, discriminator: str, branches: Sequence[Mapping[str, Any]]
) -> list[ErrorDetail]:
    """Name the fields that must be set or null for the discriminator's value."""
    if not isinstance(instance, Mapping):
        return []
    value = instance.get(discriminator)
    branch = next((b for b in branches if b["properties"][discriminator]["const"] == value), None)
    if branch is None:
        # An unknown or missing value: the enum or required error of the same 422 lists the choices.
        return []
    must_set, must_null = branch_rule(branch, discriminator)
    problems = [f"{name} is missing" for name in must_set if instance.get(name) is None]
    problems += [f"{name} is set" for name in must_null if instance.get(name) is not None]
    if not problems:
        # The alternative fails on a field's own schema, which that field's entry reports.
        return []
    rule = [f"{name} set" for name in must_set] + [f"{name} null or absent" for name in must_null]
    message = f"Value error, {discriminator} {value} needs {' and '.join(rule)}, but {' and '.join(problems)}"
    return [{"type": "value_error", "loc": list(loc), "msg": message, "input": instance}]


def branch_rule(branch: Mapping[str, Any], discriminator: str) -> tuple[list[str], list[str]]:
    """Return (fields that must be set, fields that must be null) of one alternative."""
    properties = branch.get("properties") or {}
    must_set = [str(name) for name in branch.get("required") or [] if name != discriminator]
    must_null = [name for name, schema in properties.items() if schema.get("type") == "null"]
    return must_set, must_null
