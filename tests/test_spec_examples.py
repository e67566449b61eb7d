"""Every example in both OpenAPI files validates against the schema it illustrates.

Examples sit in three places: media types, parameters and headers (`example` or an
`examples` map, whose entries may be `$ref`s to components/examples), and schemas
themselves (an `examples` list). Each is checked with JSON Schema 2020-12, the
dialect of OpenAPI 3.1, with the whole document registered so `$ref`s resolve.
"""

from __future__ import annotations

import copy
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

import spec

DOCUMENT_URI = "urn:kms-contract:spec"


@dataclass(frozen=True)
class Example:
    location: str
    value: Any
    schema_pointer: str


def _pointer(parts: tuple[str, ...]) -> str:
    escaped = (part.replace("~", "~0").replace("/", "~1") for part in parts)
    return "/" + "/".join(escaped) if parts else ""


def _resolve_local(document: dict[str, Any], reference: str) -> Any:
    node: Any = document
    for part in reference.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _example_values(document: dict[str, Any], holder: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    if "example" in holder:
        yield "example", holder["example"]
    examples = holder.get("examples")
    if isinstance(examples, dict):
        for name, entry in examples.items():
            if "$ref" in entry:
                entry = _resolve_local(document, entry["$ref"])
            if "value" in entry:
                yield f"examples/{name}", entry["value"]


def collect_examples(document: dict[str, Any]) -> list[Example]:
    """Find every example in an OpenAPI document with the pointer of its schema."""
    found: list[Example] = []
    _walk(document, document, (), found)
    return found


def _walk(document: dict[str, Any], node: Any, parts: tuple[str, ...], found: list[Example]) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _walk(document, item, (*parts, str(index)), found)
        return
    if not isinstance(node, dict):
        return
    here = _pointer(parts)
    if isinstance(node.get("schema"), dict):
        for suffix, value in _example_values(document, node):
            found.append(Example(f"{here}/{suffix}", value, f"{here}/schema"))
    if isinstance(node.get("examples"), list):
        # OpenAPI 3.1 schema objects carry a JSON Schema `examples` array.
        for index, value in enumerate(node["examples"]):
            found.append(Example(f"{here}/examples/{index}", value, here))
    for key, child in node.items():
        if key not in ("example", "examples"):
            _walk(document, child, (*parts, key), found)


def validator_for(document: dict[str, Any], schema_pointer: str) -> Draft202012Validator:
    """Build a validator for the schema at a pointer, with the document's $refs resolvable."""
    registry: Registry[Any] = Registry().with_resource(DOCUMENT_URI, DRAFT202012.create_resource(document))
    fragment = urllib.parse.quote(schema_pointer, safe="/~")
    return Draft202012Validator(
        {"$ref": f"{DOCUMENT_URI}#{fragment}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def invalid_examples(document: dict[str, Any]) -> list[str]:
    """List a message for each example that fails validation, so an empty list means all pass."""
    problems = []
    for example in collect_examples(document):
        for error in validator_for(document, example.schema_pointer).iter_errors(example.value):
            problems.append(f"{example.location}: {error.message}")
    return problems


def test_kms_spec_examples_validate() -> None:
    assert invalid_examples(spec.load_spec()) == []


def test_control_spec_examples_validate() -> None:
    assert invalid_examples(spec.load_control_spec()) == []


def test_collector_finds_examples_of_each_kind() -> None:
    locations = [example.location for example in collect_examples(spec.load_spec())]

    assert "/components/schemas/Money/examples/0" in locations
    assert "/components/parameters/OrganizationIdPath/example" in locations
    assert "/components/headers/ETag/example" in locations
    assert "/components/responses/SpendFound/content/application~1json/examples/unavailable" in locations
    assert "/webhooks/quota_warning/post/requestBody/content/application~1json/examples/warning" in locations


def test_every_operation_has_a_success_example() -> None:
    document = spec.load_spec()
    locations = [example.location for example in collect_examples(document)]
    responses_with_examples = {
        location.split("/responses/")[0] for location in locations if "/responses/" in location
    }

    missing = [
        f"{operation.method} {operation.path}"
        for operation in spec.operations(document)
        if _operation_pointer(operation) not in responses_with_examples
        and not _success_uses_shared_response(document, operation)
    ]

    assert missing == []


def _operation_pointer(operation: spec.Operation) -> str:
    return _pointer(("paths", operation.path, operation.method.lower()))


def _success_uses_shared_response(document: dict[str, Any], operation: spec.Operation) -> bool:
    responses = document["paths"][operation.path][operation.method.lower()]["responses"]
    success = next(iter(responses.values()))
    if "$ref" in success:
        return bool(_resolve_local(document, success["$ref"])["content"]["application/json"]["examples"])
    return "content" not in success


def test_broken_component_example_is_reported() -> None:
    document = copy.deepcopy(spec.load_spec())
    document["components"]["examples"]["OrganizationAcme"]["value"]["quota"] = 1000.5

    problems = invalid_examples(document)

    created = "/paths/~1organizations~1/post/responses/201/content/application~1json/examples/created"
    assert f"{created}: 1000.5 is not of type 'string'" in problems, problems


def test_every_component_example_is_used() -> None:
    # Component examples are validated where they are referenced, so an unused one
    # would never be checked.
    document = spec.load_spec()
    text = spec.SPEC_PATH.read_text(encoding="utf-8")

    unused = [
        name for name in document["components"]["examples"] if f"#/components/examples/{name}'" not in text
    ]

    assert unused == []


def test_broken_schema_example_is_reported() -> None:
    document = copy.deepcopy(spec.load_spec())
    document["components"]["schemas"]["Money"]["examples"].append("1e3")

    problems = invalid_examples(document)

    assert problems == [
        "/components/schemas/Money/examples/3: '1e3' does not match '^(0|[1-9][0-9]*)(\\\\.[0-9]+)?$'"
    ]


@pytest.mark.parametrize("timestamp", ["yesterday", "2026-13-40T25:00:00Z"])
def test_bad_timestamp_in_example_is_reported(timestamp: str) -> None:
    document = copy.deepcopy(spec.load_spec())
    document["components"]["examples"]["TeamResearch"]["value"]["created_at"] = timestamp

    problems = invalid_examples(document)

    assert any(f"'{timestamp}' is not a 'date-time'" in problem for problem in problems), problems
