"""Errors of the HTTP layer and the JSON responses that carry them.

Every error leaves the mock in FastAPI's shape, because the live KMS is a
FastAPI service and callers parse its errors: `{"detail": "text"}` for most
statuses, and `{"detail": [{"type", "loc", "msg", "input"}]}` for 422.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from mock_server.validation import ErrorDetail


class RequestRejected(Exception):
    """A request the mock rejects with an error before any handler runs."""

    status_code = 400

    def __init__(self, detail: object) -> None:
        super().__init__(detail)
        self.detail = detail

    def response(self) -> Response:
        """Render this error as a FastAPI-shaped JSON response."""
        return json_response(self.status_code, {"detail": self.detail})


class ValidationFailed(RequestRejected):
    """The request breaks the spec: one entry per violated rule."""

    status_code = 422

    def __init__(self, errors: list[ErrorDetail]) -> None:
        super().__init__(errors)


class BodyTooLarge(RequestRejected):
    """The request body is larger than the mock accepts."""

    status_code = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body is larger than {limit} bytes: send a smaller body")


def json_default(value: object) -> object:
    """Serialise values json cannot: a Decimal becomes its plain text, never a float."""
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def dump_json(body: object) -> bytes:
    """Encode a response body compactly, as Starlette's JSONResponse does."""
    text = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=json_default)
    return text.encode("utf-8")


def json_response(status_code: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    """Build a JSON response, or an empty one for 204 and 304."""
    if body is None and status_code in (204, 304):
        return Response(status_code=status_code, headers=headers)
    return Response(dump_json(body), status_code=status_code, headers=headers, media_type="application/json")


def detail_response(status_code: int, detail: object, headers: Mapping[str, str] | None = None) -> Response:
    """Build `{"detail": ...}` with `status_code`."""
    return json_response(status_code, {"detail": detail}, headers)
