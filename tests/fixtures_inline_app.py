"""A tiny spec and an app built from it, to test the HTTP machinery without the store.

Loaded as a pytest plugin from conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fixtures_testclient import TestClient

from mock_server.config import MockSettings
from mock_server.operations import compile_operations
from mock_server.request_parsing import Call
from mock_server.routing import EncodedSlashGuard, Handler, Reply, build_routes
from mock_server.runtime import MockRuntime

ID_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[^/\\x00-\\x1f\\x7f]{1,128}$"}
MONEY_INPUT = {
    "anyOf": [
        {"type": "number", "minimum": 0},
        {"type": "string", "pattern": "^(0|[1-9][0-9]*)(\\.[0-9]+)?$"},
    ]
}
ITEM = {
    "type": "object",
    "required": ["id", "price"],
    "properties": {"id": {"$ref": "#/components/schemas/Id"}, "price": {"type": "string"}},
    "additionalProperties": False,
}
DETAIL = {"type": "object", "required": ["detail"], "properties": {"detail": {}}}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


INLINE_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "inline", "version": "1"},
    "paths": {
        "/items/": {
            "post": {
                "operationId": "createItem",
                "requestBody": {
                    "required": True,
                    **json_content(
                        {
                            "type": "object",
                            "required": ["id", "price"],
                            "properties": {"id": {"$ref": "#/components/schemas/Id"}, "price": MONEY_INPUT},
                        }
                    ),
                },
                "responses": {
                    "201": json_content({"$ref": "#/components/schemas/Item"}),
                    "413": json_content(DETAIL),
                    "422": json_content(DETAIL),
                },
            }
        },
        "/items/{item_id}": {
            "parameters": [{"$ref": "#/components/parameters/ItemId"}],
            "get": {
                "operationId": "getItem",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string", "minLength": 2}},
                ],
                "responses": {
                    "200": json_content({"$ref": "#/components/schemas/Item"}),
                    "422": json_content(DETAIL),
                },
            },
            "delete": {
                "operationId": "deleteItem",
                "parameters": [{"name": "version", "in": "query", "schema": {"type": "string"}}],
                "responses": {
                    "204": {
                        "description": "gone",
                        "headers": {
                            "X-Version": {
                                "required": True,
                                "schema": {"type": "string", "pattern": "^v[0-9]+$"},
                            }
                        },
                    }
                },
            },
        },
        "/pairs/{left}/{right}": {
            "get": {
                "operationId": "getPair",
                "parameters": [
                    {"name": "left", "in": "path", "required": True, "schema": ID_SCHEMA},
                    {"name": "right", "in": "path", "required": True, "schema": ID_SCHEMA},
                ],
                "responses": {"200": json_content({"type": "object"}), "422": json_content(DETAIL)},
            }
        },
    },
    "components": {
        "schemas": {"Id": ID_SCHEMA, "Item": ITEM},
        "parameters": {"ItemId": {"name": "item_id", "in": "path", "required": True, "schema": ID_SCHEMA}},
    },
}


def echo_item(call: Call) -> Reply:
    """Echo what the handler received, so tests can see the parsed values."""
    received = {"path": call.path, "query": call.query, "headers": call.headers, "body": call.body}
    price = call.body["price"] if call.body else "1"
    status = 201 if call.body else 200
    body = {"id": call.path.get("item_id", "new"), "price": str(price)}
    return Reply(status, body, {"X-Received": repr(received)})


INLINE_HANDLERS: dict[str, Handler] = {
    "createItem": echo_item,
    "getItem": echo_item,
    "deleteItem": lambda call: Reply(204, None, {"X-Version": "v2"}),
    "getPair": lambda call: Reply(200, dict(call.path)),
}


def build_inline_app(handlers: dict[str, Handler], **settings: Any) -> FastAPI:
    """An app with the inline spec's routes, the encoded-slash guard and no store."""
    runtime = MockRuntime(settings=MockSettings(**settings), store=cast(Any, None))
    app = FastAPI()
    app.router.routes.extend(build_routes(compile_operations(INLINE_SPEC), handlers, runtime))
    app.add_middleware(EncodedSlashGuard)
    return app


@pytest.fixture
def inline_client() -> Iterator[TestClient]:
    with TestClient(build_inline_app(INLINE_HANDLERS)) as client:
        yield client


@pytest.fixture
def strict_inline_client() -> Iterator[TestClient]:
    def wrong_item(call: Call) -> Reply:
        return Reply(200, {"id": call.path["item_id"], "price": Decimal("1.5").__float__()})

    def chosen_header(call: Call) -> Reply:
        version = call.query.get("version")
        return Reply(204, None, {} if version is None else {"X-Version": version})

    handlers = {
        **INLINE_HANDLERS,
        "getItem": wrong_item,
        "deleteItem": chosen_header,
        "getPair": lambda call: Reply(201, {}),
    }
    with TestClient(build_inline_app(handlers, strict=True), raise_server_exceptions=False) as client:
        yield client
