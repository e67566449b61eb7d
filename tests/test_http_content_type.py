"""Request bodies must be sent as JSON, as a FastAPI service with a pydantic body requires."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fixtures_testclient import TestClient
from pydantic import BaseModel

BODY = b'{"c_organization_id": "acme", "quota": "10"}'
NOT_JSON = ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/jsonx")
JSON_TYPES = ("application/json", "application/json; charset=utf-8", "application/merge-patch+json")


class OrganizationIn(BaseModel):
    c_organization_id: str
    quota: str


def reference_app() -> FastAPI:
    """A bare FastAPI service with a pydantic body, the way the live KMS is built."""
    app = FastAPI()

    @app.post("/organizations/", status_code=201)
    def create(body: OrganizationIn) -> dict[str, str]:
        return {"c_organization_id": body.c_organization_id}

    return app


@pytest.fixture(scope="module")
def reference() -> TestClient:
    return TestClient(reference_app())


def post(client: TestClient, content_type: str) -> tuple[int, dict[str, object]]:
    response = client.post("/organizations/", content=BODY, headers={"content-type": content_type})
    return response.status_code, response.json()


@pytest.mark.parametrize("content_type", NOT_JSON)
def test_non_json_content_type_rejected_like_fastapi(
    kms: TestClient, reference: TestClient, content_type: str
) -> None:
    status, body = post(kms, content_type)
    expected_status, expected = post(reference, content_type)

    assert status == expected_status == 422
    entry, expected_entry = body["detail"][0], expected["detail"][0]  # type: ignore[index]
    assert entry["type"] == expected_entry["type"]
    assert entry["loc"] == expected_entry["loc"]
    assert entry["input"] == expected_entry["input"]
    assert set(entry) == set(expected_entry)


@pytest.mark.parametrize("content_type", NOT_JSON)
def test_non_json_message_names_expected_type(kms: TestClient, content_type: str) -> None:
    _status, body = post(kms, content_type)

    message = body["detail"][0]["msg"]  # type: ignore[index]
    assert "application/json" in message
    assert content_type in message


@pytest.mark.parametrize("content_type", JSON_TYPES)
def test_json_content_types_accepted(kms: TestClient, reference: TestClient, content_type: str) -> None:
    status, _body = post(kms, content_type)
    expected_status, _expected = post(reference, content_type)

    assert status == 201
    assert expected_status == 201


def test_content_type_does_not_create(kms: TestClient) -> None:
    post(kms, "text/plain")

    assert kms.get("/organizations/acme").status_code == 404
