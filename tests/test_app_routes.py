"""The mock's route table is the spec's operation list, per profile."""

from __future__ import annotations

import pytest
from fixtures_kms_app import strict_client

import spec
from mock_server.app import create_app, live_info
from mock_server.config import MockSettings
from mock_server.routing import OperationsRoute


def served_operations(profile: str) -> set[tuple[str, str, str]]:
    app = create_app(MockSettings(profile=profile))
    table = set()
    for route in app.router.routes:
        if isinstance(route, OperationsRoute) and not route.path.startswith("/_mock/"):
            for method, operation_id in route.operation_ids.items():
                table.add((method, route.path, operation_id))
    return table


def spec_operations(profile: str) -> set[tuple[str, str, str]]:
    document = spec.view(spec.load_spec(), profile)
    return {(op.method, op.path, op.operation_id) for op in spec.operations(document)}


@pytest.mark.parametrize("profile", ["extended", "live"])
def test_route_table_equals_spec(profile: str) -> None:
    assert served_operations(profile) == spec_operations(profile)


def test_live_profile_serves_only_live_operations() -> None:
    live = {operation_id for _method, _path, operation_id in served_operations("live")}
    extended = {operation_id for _method, _path, operation_id in served_operations("extended")}
    availability = {op.operation_id: op.availability for op in spec.operations(spec.load_spec())}

    assert live == {name for name in extended if availability[name] == "live"}
    assert live < extended


@pytest.mark.parametrize("profile", ["extended", "live"])
def test_openapi_json_is_profile_view(profile: str) -> None:
    with strict_client(profile) as client:
        served = client.get("/openapi.json").json()

    expected = spec.view(spec.load_spec(), profile)
    expected_info = expected["info"] if profile == "extended" else live_info(expected["info"])
    assert set(served["paths"]) == set(expected["paths"])
    assert served["info"] == expected_info


def test_openapi_json_omits_control_api() -> None:
    with strict_client() as client:
        served = client.get("/openapi.json").json()

    assert not [path for path in served["paths"] if path.startswith("/_mock")]


def test_docs_page_served() -> None:
    with strict_client() as client:
        response = client.get("/docs")

    assert response.status_code == 200
    assert "swagger-ui" in response.text
    assert "/openapi.json" in response.text


def test_control_api_served_under_mock_prefix() -> None:
    with strict_client() as client:
        reset = client.post("/_mock/reset")
        state = client.get("/_mock/state")

    assert reset.status_code == 204, reset.text
    assert state.status_code == 200, state.text
    assert state.json()["organizations"] == []
