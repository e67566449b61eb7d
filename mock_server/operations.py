"""Compile the operations of an OpenAPI document into what the request path needs.

Everything that needs a walk over the spec happens here, once, at start-up:
parameters merged from path and operation level, `$ref`s resolved, and every
parameter, request body and response schema compiled into a validator. A
request then only looks values up in these frozen objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mock_server.validation import SchemaValidator, escape_pointer

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
JSON_MEDIA_TYPE = "application/json"


@dataclass(frozen=True)
class Parameter:
    """A path, query or header parameter and the validator of its value."""

    name: str
    location: str
    required: bool
    value_type: str
    validator: SchemaValidator

    @property
    def lookup_key(self) -> str:
        """Header names compare case-insensitively (RFC 9110, section 5.1)."""
        if self.location == "header":
            return self.name.lower()
        return self.name


@dataclass(frozen=True)
class RequestBody:
    """The JSON request body of an operation."""

    required: bool
    validator: SchemaValidator | None


@dataclass(frozen=True)
class HeaderShape:
    """A documented response header and the validator of its value."""

    name: str
    required: bool
    validator: SchemaValidator


@dataclass(frozen=True)
class ResponseShape:
    """One documented response: its body validator (None without a JSON body) and its headers."""

    status: str
    validator: SchemaValidator | None
    headers: tuple[HeaderShape, ...] = ()


@dataclass(frozen=True)
class CompiledOperation:
    """An operation of the spec, ready to serve requests."""

    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    body: RequestBody | None
    responses: Mapping[str, ResponseShape]

    def response_for(self, status_code: int) -> ResponseShape | None:
        """Find the documented response for a status: exact code, then 4XX-style range, then default."""
        exact = self.responses.get(str(status_code))
        if exact is not None:
            return exact
        ranged = self.responses.get(f"{status_code // 100}XX")
        if ranged is not None:
            return ranged
        return self.responses.get("default")


class SpecError(ValueError):
    """The OpenAPI document cannot drive the mock (for example a missing operationId)."""


def compile_operations(
    document: Mapping[str, Any], *, with_responses: bool = True
) -> list[CompiledOperation]:
    """Compile every operation of `document`, in the document's order.

    Response validators are only needed to check responses (strict mode);
    `with_responses=False` leaves them out and starts faster.
    """
    compiler = _Compiler(document, with_responses)
    return [compiler.operation(path, method, item) for path, method, item in iter_operations(document)]


def iter_operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """Yield (path, lower-case method, path item) for each operation of `document`."""
    for path, item in (document.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item


class _Compiler:
    """Resolves local `$ref`s and builds validators against one document's components."""

    def __init__(self, document: Mapping[str, Any], with_responses: bool) -> None:
        self._document = document
        self._components = document.get("components") or {}
        self._with_responses = with_responses
        # Many parameters and responses share one schema (a `$ref` to the same component);
        # compiling each distinct schema once keeps start-up short.
        self._compiled: dict[str, SchemaValidator] = {}

    def resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        """Follow `$ref` chains to a local object such as `#/components/parameters/X`."""
        seen: set[str] = set()
        while "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
                raise SpecError(f"unsupported or circular reference {ref!r}: use local '#/...' references")
            seen.add(ref)
            node = self._lookup(ref)
        return node

    def _lookup(self, ref: str) -> Mapping[str, Any]:
        target: Any = self._document
        for token in ref[2:].split("/"):
            key = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or key not in target:
                raise SpecError(f"reference {ref!r} points to nothing in the spec")
            target = target[key]
        return target  # type: ignore[no-any-return]

    def validator(self, schema: Mapping[str, Any], pointer: str) -> SchemaValidator:
        key = json.dumps(schema, sort_keys=True, default=str)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = SchemaValidator(schema, self._components, pointer)
        return compiled.at(pointer)

    def operation(self, path: str, method: str, item: Mapping[str, Any]) -> CompiledOperation:
        operation = item[method]
        operation_id = operation.get("operationId")
        pointer = f"#/paths/{escape_pointer(path)}/{method}"
        if not operation_id:
            raise SpecError(f"{method.upper()} {path} has no operationId: every operation needs one")
        return CompiledOperation(
            operation_id=operation_id,
            method=method.upper(),
            path=path,
            parameters=self.parameters(item, operation, pointer),
            body=self.request_body(operation, pointer),
            responses=self.responses(operation, pointer),
        )

    def parameters(
        self, item: Mapping[str, Any], operation: Mapping[str, Any], pointer: str
    ) -> tuple[Parameter, ...]:
        # Operation-level parameters override path-level ones with the same name and location.
        merged: dict[tuple[str, str], Mapping[str, Any]] = {}
        for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
            resolved = self.resolve(raw)
            merged[(resolved["name"], resolved["in"])] = resolved
        return tuple(self.parameter(spec, pointer) for spec in merged.values() if spec["in"] != "cookie")

    def parameter(self, spec: Mapping[str, Any], pointer: str) -> Parameter:
        schema = self.resolve(spec.get("schema") or {})
        location = spec["in"]
        return Parameter(
            name=spec["name"],
            location=location,
            required=bool(spec.get("required", location == "path")),
            value_type=primitive_type(schema),
            validator=self.validator(spec.get("schema") or {}, f"{pointer}/parameters/{spec['name']}/schema"),
        )

    def request_body(self, operation: Mapping[str, Any], pointer: str) -> RequestBody | None:
        raw = operation.get("requestBody")
        if raw is None:
            return None
        body = self.resolve(raw)
        media = (body.get("content") or {}).get(JSON_MEDIA_TYPE) or {}
        schema = media.get("schema")
        validator = None
        if schema is not None:
            validator = self.validator(schema, f"{pointer}/requestBody/content/application~1json/schema")
        return RequestBody(required=bool(body.get("required", False)), validator=validator)

    def responses(self, operation: Mapping[str, Any], pointer: str) -> dict[str, ResponseShape]:
        shapes: dict[str, ResponseShape] = {}
        for status, raw in (operation.get("responses") or {}).items():
            response = self.resolve(raw)
            media = (response.get("content") or {}).get(JSON_MEDIA_TYPE)
            validator = None
            if self._with_responses and media is not None and "schema" in media:
                location = f"{pointer}/responses/{status}/content/application~1json/schema"
                validator = self.validator(media["schema"], location)
            headers = self.response_headers(response, f"{pointer}/responses/{status}/headers")
            shapes[str(status).upper()] = ResponseShape(str(status), validator, headers)
        return shapes

    def response_headers(self, response: Mapping[str, Any], pointer: str) -> tuple[HeaderShape, ...]:
        if not self._with_responses:
            return ()
        shapes = []
        for name, raw in (response.get("headers") or {}).items():
            header = self.resolve(raw)
            validator = self.validator(header.get("schema") or {}, f"{pointer}/{escape_pointer(name)}/schema")
            shapes.append(HeaderShape(name, bool(header.get("required", False)), validator))
        return tuple(shapes)


def primitive_type(schema: Mapping[str, Any]) -> str:
    """Return the JSON type that a parameter's text is converted to before validation."""
    declared = schema.get("type", "string")
    if isinstance(declared, list):
        declared = next((name for name in declared if name != "null"), "string")
    return str(declared)
