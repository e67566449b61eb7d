"""Presence probes separate FastAPI's unknown-route responses from responses of real routes."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from schemathesis.python import asgi

from contract_tests.client import KmsClient
from contract_tests.probe import fetch_target_document, presence_from_document, probe_operation
from contract_tests.target import make_target


class Organization(BaseModel):
    c_organization_id: str


def tiny_kms() -> FastAPI:
    """A FastAPI app with two routes of the contract and nothing else."""
    app = FastAPI()

    @app.post("/organizations/", status_code=201)
    def create(body: Organization) -> Organization:
        return body

    @app.get("/organizations/{c_organization_id}")
    def read(c_organization_id: str) -> Organization:
        raise HTTPException(404, f"Organization {c_organization_id!r} not found")

    return app


def client_for(app: FastAPI) -> KmsClient:
    return KmsClient(asgi.get_client(app), make_target(None, False))


def test_named_404_means_present() -> None:
    presence = probe_operation(client_for(tiny_kms()), "GET", "/organizations/{c_organization_id}")

    assert presence.present is True
    assert "404" in presence.reason


def test_bare_not_found_means_missing() -> None:
    presence = probe_operation(client_for(tiny_kms()), "GET", "/health")

    assert presence.present is False
    assert "'Not Found'" in presence.reason


def test_method_not_allowed_means_missing() -> None:
    presence = probe_operation(client_for(tiny_kms()), "DELETE", "/organizations/{c_organization_id}")

    assert presence.present is False
    assert "405" in presence.reason


def test_trailing_slash_redirect_is_followed() -> None:
    presence = probe_operation(client_for(tiny_kms()), "POST", "/organizations")

    assert presence.present is True
    assert "422" in presence.reason


def test_remote_write_is_not_probed() -> None:
    client = KmsClient(asgi.get_client(tiny_kms()), make_target("http://kms.example.test", False))

    presence = probe_operation(client, "POST", "/organizations/")

    assert presence.present is None
    assert client.sent == 0


def test_document_lists_operation() -> None:
    document = fetch_target_document(client_for(tiny_kms()))

    assert document is not None
    assert presence_from_document(document, "POST", "/organizations/").present is True
    assert presence_from_document(document, "GET", "/organizations/{id}").present is True


def test_document_lacks_operation() -> None:
    document = fetch_target_document(client_for(tiny_kms()))

    assert document is not None
    presence = presence_from_document(document, "DELETE", "/organizations/{c_organization_id}")
    assert presence.present is False
    assert "does not list" in presence.reason
