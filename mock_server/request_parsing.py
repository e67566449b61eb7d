"""Turn an HTTP request into the validated values a handler works with.

Parameters and bodies are checked against validators compiled at start-up.
All violations of one request are collected, so the 422 lists every problem at
once, as FastAPI does. The body is read in chunks and abandoned as soon as it
passes the size limit, so an oversized upload never sits in memory whole.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from starlette.requests import Request

from mock_server.http_errors import BodyTooLarge, ValidationFailed
from mock_server.operations import JSON_MEDIA_TYPE, CompiledOperation, Parameter
from mock_server.validation import ErrorDetail

if TYPE_CHECKING:
    from mock_server.runtime import MockRuntime

# Set by EncodedSlashGuard when it rebuilt the path from `raw_path`; path parameters then need unquoting.
ESCAPED_PATH_KEY = "kms.escaped_path"
INTEGER_TEXT = re.compile(r"-?[0-9]+")


@dataclass
class Call:
    """One validated request, as a handler receives it."""

    operation: CompiledOperation
    runtime: MockRuntime
    path: dict[str, Any]
    query: dict[str, Any]
    headers: dict[str, Any]
    body: Any


async def parse_call(request: Request, operation: CompiledOperation, runtime: MockRuntime) -> Call:
    """Validate parameters and body; raise ValidationFailed or BodyTooLarge on bad input."""
    errors: list[ErrorDetail] = []
    values: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}}
    for parameter in operation.parameters:
        raw = raw_parameter(request, parameter)
        if raw is None:
            if parameter.required:
                errors.append(missing((parameter.location, parameter.name)))
            continue
        value = coerce(raw, parameter.value_type)
        errors.extend(parameter.validator.errors(value, (parameter.location, parameter.name)))
        values[parameter.location][parameter.name] = value

    body = None
    if operation.body is not None:
        body, body_errors = await parse_body(request, operation, runtime.settings.max_body_bytes)
        errors.extend(body_errors)
    if errors:
        raise ValidationFailed(errors)
    return Call(operation, runtime, values["path"], values["query"], values["header"], body)


def raw_parameter(request: Request, parameter: Parameter) -> str | None:
    """Read one parameter's text from the path, the query string or the headers."""
    if parameter.location == "path":
        text = request.path_params.get(parameter.name)
        if text is not None and request.scope.get(ESCAPED_PATH_KEY):
            return unquote(text)
        return text
    if parameter.location == "query":
        return request.query_params.get(parameter.lookup_key)
    return request.headers.get(parameter.lookup_key)


def coerce(text: str, value_type: str) -> object:
    """Convert parameter text to the schema's type; text that does not convert stays text."""
    if value_type == "integer" and INTEGER_TEXT.fullmatch(text):
        return int(text)
    if value_type == "number":
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        return number if number.is_finite() else text
    if value_type == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def missing(loc: tuple[str | int, ...]) -> ErrorDetail:
    """Build the 422 entry for a required value that is absent."""
    return {"type": "missing", "loc": list(loc), "msg": "Field required", "input": None}


async def parse_body(
    request: Request, operation: CompiledOperation, limit: int
) -> tuple[Any, list[ErrorDetail]]:
    """Read and validate the JSON body; return it with any violations."""
    assert operation.body is not None
    raw = await read_limited(request, limit)
    if not raw.strip():
        if operation.body.required:
            return None, [missing(("body",))]
        return None, []
    content_type = request.headers.get("content-type")
    # A body without Content-Type is read as JSON, as FastAPI up to 0.11x did.
    # NOTE: FastAPI 0.165 rejects it by default; which FastAPI the live KMS runs is not known.
    if content_type is not None and not is_json_media_type(content_type):
        return None, [not_json_content(raw, content_type)]
    try:
        body = json.loads(raw, parse_float=Decimal, parse_constant=reject_constant)
    except (ValueError, RecursionError) as error:
        return None, [json_invalid(error)]
    if operation.body.validator is None:
        return body, []
    return body, operation.body.validator.errors(body, ("body",))


def is_json_media_type(content_type: str) -> bool:
    """Return whether a Content-Type names JSON: application/json or application/*+json, any parameters."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == JSON_MEDIA_TYPE or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def not_json_content(raw: bytes, content_type: str) -> ErrorDetail:
    """Build the 422 entry for a body sent as another media type.

    FastAPI (0.165) reads such a body as text and rejects it with type
    `model_attributes_type` at loc ["body"], whatever the text contains.
    """
    return {
        "type": "model_attributes_type",
        "loc": ["body"],
        "msg": "Input should be a JSON object sent with content-type application/json "
        f"(or application/*+json), not {content_type}",
        "input": raw.decode("utf-8", errors="replace"),
    }


def reject_constant(name: str) -> object:
    """NaN and Infinity are not JSON (RFC 8259, section 6), although Python's parser accepts them."""
    raise ValueError(f"{name} is not a valid JSON number")


def json_invalid(error: Exception) -> ErrorDetail:
    """Build the 422 entry FastAPI sends for a body that is not JSON."""
    position = error.pos if isinstance(error, json.JSONDecodeError) else 0
    message = error.msg if isinstance(error, json.JSONDecodeError) else str(error) or type(error).__name__
    return {
        "type": "json_invalid",
        "loc": ["body", position],
        "msg": "JSON decode error",
        "input": {},
        "ctx": {"error": message},
    }


async def read_limited(request: Request, limit: int) -> bytes:
    """Read the body, rejecting it once it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)
