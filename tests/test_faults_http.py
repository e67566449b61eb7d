"""Faults on the running mock: /_mock/faults, the middleware, spend and health faults, and the CLI."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fixtures_server import run_kms_mock, serve_in_thread, stop_kms_mock
from fixtures_testclient import TestClient
from webhook_app import configure, created, make_app, record_usage, seed_two_teams
from webhook_receiver import WebhookReceiver

from mock_server.cli import build_command
from mock_server.faults import ConnectionDropped

SPEND_PATHS = [
    "/spend/org/acme",
    "/spend/team/t1?c_organization_id=acme",
    "/spend/team-user/t1/u1?c_organization_id=acme",
    "/spend/user/u1?c_organization_id=acme",
]


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(make_app()) as test_client:
        seed_two_teams(test_client)
        yield test_client


def set_faults(client: TestClient, document: dict[str, object]) -> None:
    created(client.put("/_mock/faults", json=document))


def seconds_for(client: TestClient, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200, response.text
    return time.perf_counter() - started


def add_user_keys(client: TestClient) -> None:
    """Give the team-user and user scopes of SPEND_PATHS a key each, so every spend read returns 200."""
    for key_type, team in (("TEAM_USER", "t1"), ("USER", None)):
        body = {
            "c_organization_id": "acme",
            "key_type": key_type,
            "c_team_id": team,
            "c_user_id": "u1",
            "quota": "5",
        }
        created(client.post("/keys/", json=body))


def test_faults_start_empty(client: TestClient) -> None:
    assert client.get("/_mock/faults").json() == {"seed": 0, "operations": {}}


def test_put_returns_and_get_shows_faults(client: TestClient) -> None:
    document = {"seed": 3, "operations": {"getTeam": {"latency_ms": [1, 2], "drop_rate": 0.5}}}

    put = client.put("/_mock/faults", json=document)

    assert put.status_code == 200, put.text
    assert put.json() == document
    assert client.get("/_mock/faults").json() == document


def test_put_unknown_operation_404(client: TestClient) -> None:
    response = client.put("/_mock/faults", json={"operations": {"getNothing": {"latency_ms": 1}}})

    assert response.status_code == 404, response.text
    assert "getNothing" in response.json()["detail"]


def test_put_invalid_rate_422(client: TestClient) -> None:
    response = client.put("/_mock/faults", json={"global": {"error_rate": 2}})

    assert response.status_code == 422, response.text


def test_delete_switches_faults_off(client: TestClient) -> None:
    set_faults(client, {"seed": 4, "global": {"error_status": 500}})

    assert client.delete("/_mock/faults").status_code == 204
    assert client.get("/_mock/faults").json() == {"seed": 0, "operations": {}}
    assert client.get("/organizations/").status_code == 200


def test_latency_delays_named_operation_only(client: TestClient) -> None:
    set_faults(client, {"operations": {"getOrganizationSpend": {"latency_ms": 300}}})

    slow = seconds_for(client, "/spend/org/acme")
    fast = seconds_for(client, "/organizations/acme")

    assert slow >= 0.3
    assert fast < 0.2


def test_seeded_errors_repeat_exactly(client: TestClient) -> None:
    document = {"seed": 42, "operations": {"listOrganizations": {"error_rate": 0.5, "error_status": 503}}}

    set_faults(client, document)
    first = [client.get("/organizations/").status_code for _ in range(30)]
    set_faults(client, document)
    second = [client.get("/organizations/").status_code for _ in range(30)]

    assert first == second
    assert set(first) == {200, 503}


def test_error_body_names_operation(client: TestClient) -> None:
    set_faults(client, {"operations": {"getTeam": {"error_status": 500}}})

    response = client.get("/teams/t1")

    assert response.status_code == 500
    assert response.json() == {"detail": "injected fault: status 500 for getTeam"}


def test_control_routes_are_never_faulted(client: TestClient) -> None:
    set_faults(client, {"global": {"error_status": 500, "latency_ms": 200}})

    assert seconds_for(client, "/_mock/faults") < 0.15
    assert client.get("/_mock/state").status_code == 200
    assert client.get("/organizations/").status_code == 500


def test_spend_unavailable_on_every_read(client: TestClient) -> None:
    add_user_keys(client)
    set_faults(client, {"global": {"spend_unavailable": True}})

    bodies = [client.get(path).json() for path in SPEND_PATHS]

    assert [body["spend"] for body in bodies] == ["-1.0"] * 4
    assert [body["spend_status"] for body in bodies] == ["unavailable"] * 4
    assert [body["quota"] for body in bodies] == ["1000", "100", "5", "5"]


def test_spend_unavailable_triggers_no_event(client: TestClient) -> None:
    keys = client.get("/keys/", params={"c_team_id": "t1"}).json()
    with WebhookReceiver() as receiver:
        configure(client, receiver.url, "secret")
        set_faults(client, {"global": {"spend_unavailable": True}})
        record_usage(client, keys[0]["key_id"], "90")
        time.sleep(0.3)
        silent = len(receiver.requests)
        client.delete("/_mock/faults")
        record_usage(client, keys[0]["key_id"], "1")
        assert receiver.wait_for(1)

    assert silent == 0
    assert client.get("/_mock/webhooks/deliveries").json()[0]["event_type"] == "quota_warning"


def test_health_degraded_answers_503(client: TestClient) -> None:
    set_faults(client, {"operations": {"getHealth": {"health_degraded": True}}})

    response = client.get("/health")

    assert response.status_code == 503, response.text
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["litellm"]["status"] == "down"
    assert client.get("/organizations/").status_code == 200


def test_health_ok_without_faults(client: TestClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200, response.text
    assert response.json()["checks"] == {"litellm": {"status": "ok"}, "store": {"status": "ok"}}


def test_reset_clears_faults(client: TestClient) -> None:
    set_faults(client, {"global": {"error_status": 500}})

    assert client.post("/_mock/reset").status_code == 204
    assert client.get("/_mock/faults").json() == {"seed": 0, "operations": {}}


def test_drop_raises_in_process(client: TestClient) -> None:
    set_faults(client, {"operations": {"listOrganizations": {"drop_rate": 1}}})

    with pytest.raises(ConnectionDropped):
        client.get("/organizations/")


def test_drop_closes_socket_connection() -> None:
    with serve_in_thread(make_app()) as base_url:
        with httpx.Client(base_url=base_url, timeout=5.0, trust_env=False) as http:
            created(http.put("/_mock/faults", json={"operations": {"listOrganizations": {"drop_rate": 1}}}))
            with pytest.raises(httpx.RemoteProtocolError):
                http.get("/organizations/")
            healthy = http.get("/health")

    assert healthy.status_code == 200


def test_cli_rejects_invalid_fault() -> None:
    result = CliRunner().invoke(build_command("en"), ["--fault", "getNothing:latency_ms=5"])

    assert result.exit_code == 1, result.output
    assert "invalid fault settings" in result.output
    assert "getNothing" in result.output


@pytest.mark.slow
def test_cli_faults_apply_at_start(tmp_path: Path) -> None:
    faults_file = tmp_path / "faults.yaml"
    faults_file.write_text("seed: 5\noperations:\n  getOrganizationSpend:\n    spend_unavailable: true\n")
    args = ["--faults-file", str(faults_file), "--fault", "getHealth:health_degraded", "--seed", "11"]
    with run_kms_mock(args) as (base_url, _process):
        with httpx.Client(base_url=base_url, timeout=5.0, trust_env=False) as http:
            health = http.get("/health")
            faults = http.get("/_mock/faults").json()

    assert health.status_code == 503
    assert faults["seed"] == 11
    assert faults["operations"] == {
        "getOrganizationSpend": {"spend_unavailable": True},
        "getHealth": {"health_degraded": True},
    }


@pytest.mark.slow
def test_drop_logs_one_warning_no_traceback() -> None:
    with run_kms_mock(["--fault", "listOrganizations:drop_rate=1", "--strict"]) as (base_url, process):
        with httpx.Client(base_url=base_url, timeout=5.0, trust_env=False) as http:
            with pytest.raises(httpx.RemoteProtocolError):
                http.get("/organizations/")
            assert http.get("/health").status_code == 200
        _status, output = stop_kms_mock(process)

    drops = [line for line in output.splitlines() if "dropping the connection" in line]
    assert len(drops) == 1, output
    assert "WARNING kms_mock" in drops[0]
    assert "Traceback" not in output
    assert "Exception in ASGI application" not in output
