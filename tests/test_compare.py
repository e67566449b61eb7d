"""reports.compare: static differences between the contract and a target document."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from fastapi import FastAPI
from pydantic import BaseModel

import spec
from reports.compare import (
    RemoteTargetRejected,
    Severity,
    TargetDocumentError,
    compare_documents,
    load_target_document,
)
from reports.schema_diff import resolve

SPEND_PATH = "/spend/org/{c_organization_id}"


@pytest.fixture(scope="module")
def contract() -> dict[str, Any]:
    return spec.load_spec()


def kinds(differences: list[dict[str, Any]]) -> set[tuple[str, str | None]]:
    return {(item["kind"], item["operationId"]) for item in differences}


def spend_schema(document: dict[str, Any]) -> dict[str, Any]:
    """Inline getOrganizationSpend's 200 response schema and return it, so edits touch no shared component."""
    responses = document["paths"][SPEND_PATH]["get"]["responses"]
    response = copy.deepcopy(resolve(document, responses["200"]))
    media = response["content"]["application/json"]
    media["schema"] = copy.deepcopy(resolve(document, media["schema"]))
    responses["200"] = response
    schema: dict[str, Any] = media["schema"]
    return schema


def test_identical_documents_have_no_differences(contract: dict[str, Any]) -> None:
    assert compare_documents(contract, copy.deepcopy(contract)) == []


def test_live_view_misses_exactly_proposed_and_suggested(contract: dict[str, Any]) -> None:
    expected = {
        op.operation_id for op in spec.operations(contract) if op.availability in ("proposed", "suggested")
    }

    differences = compare_documents(contract, spec.view(contract, "live"))

    assert {item["operationId"] for item in differences} == expected
    assert {item["kind"] for item in differences} == {"operation_missing"}
    assert len(differences) == len(expected)


def test_missing_operation_severity_follows_priority(contract: dict[str, Any]) -> None:
    differences = compare_documents(contract, spec.view(contract, "live"))
    severity = {item["operationId"]: item["severity"] for item in differences}

    assert severity["getOrganization"] == Severity.CRITICAL.value
    assert severity["getTeam"] == Severity.MAJOR.value
    assert severity["deleteTeam"] == Severity.MINOR.value


def test_changed_response_field_type_reported(contract: dict[str, Any]) -> None:
    target = copy.deepcopy(contract)
    spend_schema(target)["properties"]["spend"] = {"type": "number"}

    differences = compare_documents(contract, target)

    changed = [item for item in differences if item["kind"] == "response_field_type_changed"]
    assert [item["operationId"] for item in changed] == ["getOrganizationSpend"]
    assert changed[0]["location"] == f"GET {SPEND_PATH} response 200 body.spend"
    assert (changed[0]["expected"], changed[0]["actual"]) == ("string", "number")
    assert changed[0]["severity"] == "critical"


def test_dropped_required_response_field_reported(contract: dict[str, Any]) -> None:
    target = copy.deepcopy(contract)
    schema = spend_schema(target)
    del schema["properties"]["remaining"]
    schema["required"] = [name for name in schema.get("required", []) if name != "remaining"]

    differences = compare_documents(contract, target)

    assert ("response_field_missing", "getOrganizationSpend") in kinds(differences)


def test_path_parameter_names_are_normalised(contract: dict[str, Any]) -> None:
    target = copy.deepcopy(contract)
    item = target["paths"].pop(SPEND_PATH)
    # Path parameters may sit on the path item or on the operation; rename them in both places.
    for holder in (item, item["get"]):
        holder["parameters"] = [copy.deepcopy(resolve(target, raw)) for raw in holder.get("parameters", [])]
    renamed = 0
    for parameter in item["parameters"] + item["get"]["parameters"]:
        if parameter["in"] == "path":
            parameter["name"] = "org"
            renamed += 1
    assert renamed == 1, "the spend path parameter moved; update this test"
    target["paths"]["/spend/org/{org}"] = item

    assert compare_documents(contract, target) == []


def test_extra_required_query_parameter_is_major(contract: dict[str, Any]) -> None:
    target = copy.deepcopy(contract)
    target["paths"]["/keys/"]["get"].setdefault("parameters", []).append(
        {"name": "page", "in": "query", "required": True, "schema": {"type": "integer"}}
    )

    differences = compare_documents(contract, target)

    assert [(item["kind"], item["severity"]) for item in differences] == [("parameter_extra", "major")]


def test_parameter_type_change_reported(contract: dict[str, Any]) -> None:
    target = copy.deepcopy(contract)
    operation = target["paths"]["/teams/"]["get"]
    operation["parameters"] = [copy.deepcopy(resolve(target, raw)) for raw in operation["parameters"]]
    for parameter in operation["parameters"]:
        if parameter["name"] == "c_organization_id":
            parameter["schema"] = {"type": "integer"}

    differences = compare_documents(contract, target)

    assert [item["kind"] for item in differences] == ["parameter_type_changed"]
    assert differences[0]["actual"] == "integer"


def test_extra_operation_is_info(contract: dict[str, Any]) -> None:
    target = copy.deepcopy(contract)
    target["paths"]["/version"] = {
        "get": {"operationId": "getVersion", "responses": {"200": {"description": "ok"}}}
    }

    differences = compare_documents(contract, target)

    assert [(item["kind"], item["operationId"], item["severity"]) for item in differences] == [
        ("operation_extra", "getVersion", "info")
    ]


def test_differences_sorted_most_severe_first(contract: dict[str, Any]) -> None:
    target = spec.view(contract, "live")
    target["paths"]["/version"] = {"get": {"responses": {"200": {"description": "ok"}}}}

    ranks = [Severity(item["severity"]).rank for item in compare_documents(contract, target)]

    assert ranks == sorted(ranks)


def test_fastapi_style_request_body_compared() -> None:
    # FastAPI names schemas after Python classes and writes Optional as anyOf with null.
    spec_doc = {
        "paths": {
            "/keys/": {
                "post": {
                    "operationId": "createKey",
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/KeyCreate"}}
                        }
                    },
                    "responses": {},
                }
            }
        },
        "components": {
            "schemas": {
                "KeyCreate": {
                    "type": "object",
                    "required": ["c_organization_id"],
                    "properties": {
                        "c_organization_id": {"type": "string"},
                        "c_team_id": {"type": ["string", "null"]},
                    },
                }
            }
        },
    }
    target = {
        "paths": {
            "/keys/": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/CreateKeyRequest"}}
                        }
                    },
                    "responses": {},
                }
            }
        },
        "components": {
            "schemas": {
                "CreateKeyRequest": {
                    "type": "object",
                    "required": ["c_organization_id", "quota"],
                    "properties": {
                        "c_organization_id": {"type": "string"},
                        "c_team_id": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                        "quota": {"type": "number"},
                    },
                }
            }
        },
    }

    differences = compare_documents(spec_doc, target)

    assert [(item["kind"], item["location"], item["severity"]) for item in differences] == [
        ("request_field_extra", "POST /keys/ request body body.quota", "major")
    ]


def test_load_document_from_file(tmp_path: Path, contract: dict[str, Any]) -> None:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(contract), encoding="utf-8")

    assert load_target_document(path) == contract


def test_load_rejects_non_openapi_file(tmp_path: Path) -> None:
    path = tmp_path / "openapi.json"
    path.write_text('{"hello": 1}', encoding="utf-8")

    with pytest.raises(TargetDocumentError, match="has no top-level 'paths'"):
        load_target_document(path)


@pytest.fixture
def served_document(contract: dict[str, Any]) -> Iterator[str]:
    body = json.dumps(spec.view(contract, "live")).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - name fixed by http.server
            status = 200 if self.path == "/openapi.json" else 404
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body if status == 200 else b'{"detail": "Not Found"}')

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_load_document_from_loopback_url(served_document: str, contract: dict[str, Any]) -> None:
    document = load_target_document(f"{served_document}/openapi.json")

    assert document == spec.view(contract, "live")


def test_load_from_loopback_reports_bad_status(served_document: str) -> None:
    with pytest.raises(TargetDocumentError, match="status 404"):
        load_target_document(f"{served_document}/missing.json")


@pytest.mark.parametrize(
    "url",
    ["http://kms.example.com/openapi.json", "https://192.0.2.10/openapi.json", "http://[2001:db8::1]/x"],
)
def test_remote_url_rejected_without_permission(url: str) -> None:
    with respx.mock(assert_all_called=False) as router:
        route = router.route()
        with pytest.raises(RemoteTargetRejected, match="allow_remote=True"):
            load_target_document(url)

    assert not route.called


def test_remote_url_fetched_with_permission(contract: dict[str, Any]) -> None:
    # respx returns the response in place of the network, so nothing leaves the process.
    with respx.mock(assert_all_called=True) as router:
        router.get("https://kms.example.com/openapi.json").mock(
            return_value=httpx.Response(200, json=contract)
        )

        document = load_target_document("https://kms.example.com/openapi.json", allow_remote=True)

    assert document == contract


class FastApiOrganizationIn(BaseModel):
    c_organization_id: str
    quota: float | str


class FastApiSpend(BaseModel):
    spend: str
    quota: str
    remaining: float


def fastapi_live_like_app() -> FastAPI:
    """Build a FastAPI service like the live KMS: live routes only, its own schema and parameter names."""
    app = FastAPI()

    @app.post("/organizations/")
    def create_organization(body: FastApiOrganizationIn) -> None: ...

    @app.get("/spend/org/{org_id}", response_model=FastApiSpend)
    def spend(org_id: str) -> None: ...

    return app


def test_fastapi_generated_document_compared(contract: dict[str, Any]) -> None:
    differences = compare_documents(contract, fastapi_live_like_app().openapi())
    found = {(item["kind"], item["location"]): item["severity"] for item in differences}
    error_body_ranks = [
        Severity(item["severity"]).rank for item in differences if " response 422 " in item["location"]
    ]

    assert (
        found[("response_field_type_changed", f"GET {SPEND_PATH} response 200 body.remaining")] == "critical"
    )
    assert found[("response_field_missing", f"GET {SPEND_PATH} response 200 body.spend_status")] == "minor"
    assert not [item for item in differences if item["kind"].startswith(("request_", "parameter_"))]
    assert error_body_ranks
    assert min(error_body_ranks) >= Severity.MINOR.rank
