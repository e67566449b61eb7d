"""The real mock KMS app, in-process, with strict response checking on.

Loaded as a pytest plugin from conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fixtures_testclient import TestClient

from mock_server.app import create_app
from mock_server.config import MockSettings


def strict_client(profile: str = "extended", **settings: Any) -> TestClient:
    """A client of a fresh strict mock, with server errors returned rather than raised."""
    app = create_app(MockSettings(profile=profile, strict=True, **settings))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def kms() -> Iterator[TestClient]:
    """A fresh strict mock with the extended profile."""
    with strict_client() as client:
        yield client


@pytest.fixture
def live_kms() -> Iterator[TestClient]:
    """A fresh strict mock with the live profile."""
    with strict_client("live") as client:
        yield client


@pytest.fixture
def make_org(kms: TestClient) -> Callable[..., dict[str, Any]]:
    """Create an organization and return its JSON, failing the test on any other status."""

    def create(c_organization_id: str = "acme", quota: object = "100") -> dict[str, Any]:
        response = kms.post("/organizations/", json={"c_organization_id": c_organization_id, "quota": quota})
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    return create
