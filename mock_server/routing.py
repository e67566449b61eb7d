"""Starlette routes for compiled operations, keyed by operationId.

Routes are plain Starlette routes, not FastAPI path operations: the spec
already describes parameters and bodies, and skipping pydantic keeps a spend
read close to the speed of a bare app. FastAPI still provides the rest: its
404 and 405 responses for unknown routes, the trailing-slash redirect and the
`/docs` page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.errors import KmsError
from mock_server.http_errors import (
    RequestRejected,
    detail_response,
    json_response,
)
from mock_server.operations import CompiledOperation, ResponseShape
from mock_server.request_parsing import ESCAPED_PATH_KEY, Call, parse_call
from mock_server.runtime import MockRuntime

logger = logging.getLogger("kms_mock")

CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")

# The operationId of the matched route, for middleware that acts per operation.
OPERATION_ID_KEY = "kms.operation_id"


@dataclass
class Reply:
    """Result of a handler: a status, a JSON-ready body (None for no body) and headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Reply | Awaitable[Reply]]
Endpoint = Callable[[Request], Awaitable[Response]]


class MissingHandler(LookupError):
    """An operation of the spec has no handler, so the mock cannot serve the spec."""


def build_routes(
    operations: Iterable[CompiledOperation], handlers: Mapping[str, Handler], runtime: MockRuntime
) -> list[Route]:
    """Create one route per path, dispatching on the method; every operation needs a handler."""
    endpoints: dict[str, dict[str, Endpoint]] = {}
    for operation in operations:
        handler = handlers.get(operation.operation_id)
        if handler is None:
            raise MissingHandler(f"no handler for operation {operation.operation_id!r}: register one")
        endpoints.setdefault(operation.path, {})[operation.method] = make_endpoint(
            operation, handler, runtime
        )
    return [OperationsRoute(path, by_method) for path, by_method in endpoints.items()]


class OperationsRoute(Route):
    """One route for every operation of a path, so a 405 lists all methods in `Allow`.

    FastAPI registers one route per method, and its 405 then names only the
    first route's method, while the spec documents all of them (RFC 9110,
    section 15.5.6, requires the full list).
    """

    def __init__(self, path: str, endpoints: dict[str, Endpoint]) -> None:
        async def dispatch(request: Request) -> Response:
            return await endpoints[request.method](request)

        super().__init__(path, dispatch, methods=list(endpoints), name=path)
        # Starlette adds HEAD to every GET route; FastAPI does not, and the live KMS is FastAPI.
        self.methods = set(endpoints)
        self.operation_ids = {method: endpoint.__name__ for method, endpoint in endpoints.items()}


def make_endpoint(operation: CompiledOperation, handler: Handler, runtime: MockRuntime) -> Endpoint:
    """Bind one operation and its handler into a Starlette endpoint."""

    async def endpoint(request: Request) -> Response:
        request.scope[OPERATION_ID_KEY] = operation.operation_id
        try:
            call = await parse_call(request, operation, runtime)
            reply = handler(call)
            if not isinstance(reply, Reply):
                reply = await reply
        except RequestRejected as rejected:
            logger.debug("%s rejected with %d", operation.operation_id, rejected.status_code)
            reply = Reply(rejected.status_code, {"detail": rejected.detail})
        except KmsError as error:
            logger.debug("%s failed with %d: %s", operation.operation_id, error.status_code, error.detail)
            reply = domain_error_reply(error)
        if runtime.settings.strict:
            return strict_response(operation, reply)
        return json_response(reply.status, reply.body, reply.headers)

    endpoint.__name__ = operation.operation_id
    return endpoint


def domain_error_reply(error: KmsError) -> Reply:
    """Map a store error to its HTTP response; `Invalid` brings FastAPI's 422 list shape itself."""
    return Reply(error.status_code, error.to_json())


def strict_response(operation: CompiledOperation, reply: Reply) -> Response:
    """Check the reply against the spec; a mismatch becomes a 500 that names the rule broken."""
    problem = response_violation(operation, reply)
    if problem is None:
        return json_response(reply.status, reply.body, reply.headers)
    operation_id = operation.operation_id
    detail = f"strict mode: {operation_id} returned {reply.status}, which does not match the spec: {problem}"
    logger.error("%s", detail)
    return detail_response(500, detail)


def response_violation(operation: CompiledOperation, reply: Reply) -> str | None:
    """Describe how `reply` departs from the documented responses, or return None."""
    shape = operation.response_for(reply.status)
    if shape is None:
        documented = ", ".join(sorted(operation.responses))
        return f"status {reply.status} is not documented (documented: {documented})"
    header_problem = header_violation(shape, reply)
    if header_problem is not None:
        return header_problem
    if shape.validator is None:
        if reply.body is not None:
            return f"status {reply.status} is documented without a body, but the response has one"
        return None
    if reply.body is None:
        return f"status {reply.status} is documented with a JSON body, but the response has none"
    return shape.validator.first_violation(reply.body)


def header_violation(shape: ResponseShape, reply: Reply) -> str | None:
    """Describe a documented header that is missing or malformed, or return None."""
    sent = {name.lower(): value for name, value in reply.headers.items()}
    for header in shape.headers:
        value = sent.get(header.name.lower())
        if value is None:
            if header.required:
                return f"required header {header.name} is missing"
            continue
        problem = header.validator.first_violation(value)
        if problem is not None:
            return f"header {header.name}: {problem}"
    return None


def operation_id_for(routes: Iterable[Any], scope: Scope) -> str | None:
    """Find the operationId a request will reach, for middleware that runs before routing."""
    for route in routes:
        if isinstance(route, OperationsRoute) and route.matches(scope)[0] is Match.FULL:
            return route.operation_ids.get(scope["method"])
    return None


class EncodedSlashGuard:
    """Keep a percent-encoded "/" inside its path segment.

    ASGI servers decode `%2F` before routing, so `/spend/team-user/t%2Fu` would
    reach the team-user route as team `t`, user `u`. For any path with a "%"
    this middleware rebuilds `path` from `raw_path`, decoding each segment on
    its own and re-escaping "%", "/" and control characters inside it. The segment then matches one
    path parameter, which the request parser unescapes, and the id pattern
    rejects its "/" with a 422. Rebuilding from `raw_path` also undoes clients
    and test transports that decode a path twice.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_path = scope.get("raw_path")
        if scope["type"] == "http" and raw_path and b"%" in raw_path:
            scope = dict(scope)
            scope["path"] = escaped_path(raw_path)
            scope[ESCAPED_PATH_KEY] = True
        await self.app(scope, receive, send)


def escaped_path(raw_path: bytes) -> str:
    """Decode each segment on its own, keeping "/", "%" and control characters inside a segment escaped."""
    segments = raw_path.decode("ascii", errors="replace").split("/")
    return "/".join(escape_segment(unquote(segment)) for segment in segments)


def escape_segment(segment: str) -> str:
    # A decoded control character must stay escaped: Starlette's route patterns end in "$",
    # which also matches before a final newline, so "/teams/\n" would reach the list route.
    escaped = segment.replace("%", "%25").replace("/", "%2F")
    return CONTROL_CHARACTER.sub(lambda match: f"%{ord(match.group()):02X}", escaped)
