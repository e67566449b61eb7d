"""Fault documents, --fault specs and the seeded decisions of FaultController."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from mock_server.faults import (
    Fault,
    FaultConfig,
    FaultConfigError,
    FaultController,
    UnknownOperation,
    build_fault_config,
    parse_fault_config,
    parse_fault_spec,
)

KNOWN = {"getTeamSpend", "getOrganizationSpend", "listOrganizations", "getHealth"}
DOCUMENT = {
    "seed": 7,
    "global": {"error_rate": 0.1, "error_status": 503},
    "operations": {"getTeamSpend": {"latency_ms": [100, 400], "spend_unavailable": True}},
}


def statuses(controller: FaultController, operation: str, count: int) -> list[int | None]:
    return [controller.decide(operation).error_status for _ in range(count)]


def test_document_round_trips() -> None:
    config = parse_fault_config(DOCUMENT, KNOWN)

    assert config.to_json() == DOCUMENT


def test_fixed_latency_serialises_as_number() -> None:
    config = parse_fault_config({"operations": {"getHealth": {"latency_ms": 250}}}, KNOWN)

    assert config.operations["getHealth"].latency_ms == (250, 250)
    assert config.to_json()["operations"]["getHealth"] == {"latency_ms": 250}


@pytest.mark.parametrize(
    ("document", "location"),
    [
        ({"global": {"eror_rate": 0.1}}, ("body", "global", "eror_rate")),
        ({"global": {"error_rate": 1.5}}, ("body", "global", "error_rate")),
        ({"global": {"error_status": 200}}, ("body", "global", "error_status")),
        ({"global": {"latency_ms": [400, 100]}}, ("body", "global", "latency_ms", 1)),
        ({"global": {"spend_unavailable": "yes"}}, ("body", "global", "spend_unavailable")),
        ({"seed": "seven"}, ("body", "seed")),
        ({"extra": 1}, ("body", "extra")),
    ],
)
def test_invalid_document_names_field(document: dict[str, object], location: tuple[object, ...]) -> None:
    with pytest.raises(FaultConfigError) as raised:
        parse_fault_config(document, KNOWN)

    assert raised.value.location == location


def test_unknown_operation_is_rejected() -> None:
    with pytest.raises(UnknownOperation):
        parse_fault_config({"operations": {"getNothing": {"latency_ms": 1}}}, KNOWN)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("getTeamSpend:latency_ms=100-400", ("getTeamSpend", {"latency_ms": [100, 400]})),
        ("spend_unavailable", (None, {"spend_unavailable": True})),
        ("error_rate=0.3,error_status=500", (None, {"error_rate": Decimal("0.3"), "error_status": 500})),
        ("getHealth:health_degraded=false", ("getHealth", {"health_degraded": False})),
    ],
)
def test_fault_spec_parses(spec: str, expected: tuple[object, object]) -> None:
    assert parse_fault_spec(spec) == expected


def test_fault_spec_without_field_fails() -> None:
    with pytest.raises(FaultConfigError):
        parse_fault_spec("getTeamSpend:")


def test_specs_and_seed_layer_over_file(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text("seed: 3\nglobal:\n  error_rate: 0.5\noperations:\n  getHealth:\n    latency_ms: 10\n")

    config = build_fault_config(
        path, ["error_rate=0.2", "getHealth:health_degraded"], seed=9, known_operations=KNOWN
    )

    assert config.seed == 9
    assert config.global_fault.error_rate == pytest.approx(0.2)
    assert config.operations["getHealth"] == Fault(latency_ms=(10, 10), health_degraded=True)


def test_json_fault_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "faults.json"
    path.write_text(json.dumps(DOCUMENT))

    config = build_fault_config(path, [], seed=None, known_operations=KNOWN)

    assert config.to_json() == DOCUMENT


def test_unreadable_fault_file_fails(tmp_path: Path) -> None:
    with pytest.raises(FaultConfigError) as raised:
        build_fault_config(tmp_path / "missing.yaml", [], seed=None)

    assert "missing.yaml" in str(raised.value)


def test_same_seed_same_sequence() -> None:
    config = parse_fault_config({"seed": 42, "global": {"error_rate": 0.5}})

    first = statuses(FaultController(config), "listOrganizations", 40)
    second = statuses(FaultController(config), "listOrganizations", 40)

    assert first == second
    assert set(first) == {None, 500}


def test_other_seed_other_sequence() -> None:
    first = statuses(FaultController(parse_fault_config({"seed": 1, "global": {"error_rate": 0.5}})), "x", 40)
    second = statuses(
        FaultController(parse_fault_config({"seed": 2, "global": {"error_rate": 0.5}})), "x", 40
    )

    assert first != second


def test_setting_faults_restarts_sequence() -> None:
    config = parse_fault_config({"seed": 5, "global": {"drop_rate": 0.5}})
    controller = FaultController(config)
    first = [controller.decide("x").drop for _ in range(30)]

    controller.set(config)
    second = [controller.decide("x").drop for _ in range(30)]

    assert first == second


def test_operation_fields_override_global() -> None:
    config = parse_fault_config(
        {
            "global": {"error_status": 502, "latency_ms": 5},
            "operations": {"getHealth": {"error_status": 418}},
        },
        KNOWN,
    )
    controller = FaultController(config)

    assert controller.decide("getHealth") == controller.decide("getHealth")
    assert controller.decide("getHealth").error_status == 418
    assert controller.decide("getHealth").latency_seconds == pytest.approx(0.005)
    assert controller.decide("listOrganizations").error_status == 502


def test_error_status_alone_always_fails() -> None:
    controller = FaultController(parse_fault_config({"global": {"error_status": 503}}))

    assert statuses(controller, "x", 10) == [503] * 10


def test_latency_range_stays_in_bounds() -> None:
    controller = FaultController(parse_fault_config({"seed": 1, "global": {"latency_ms": [20, 30]}}))

    delays = {controller.decide("x").latency_seconds for _ in range(50)}

    assert min(delays) >= 0.020
    assert max(delays) <= 0.030
    assert len(delays) > 1


def test_spend_unavailable_on_one_read_blocks_events() -> None:
    controller = FaultController(FaultConfig())
    assert controller.spend_available()

    controller.set(parse_fault_config({"operations": {"getTeamSpend": {"spend_unavailable": True}}}, KNOWN))

    assert controller.spend_unavailable("getTeamSpend")
    assert not controller.spend_unavailable("getOrganizationSpend")
    assert not controller.spend_available()


def test_empty_rules_are_inactive() -> None:
    controller = FaultController(parse_fault_config({"seed": 3, "operations": {"getHealth": {}}}, KNOWN))

    assert not controller.is_active
    controller.set(parse_fault_config({"operations": {"getHealth": {"latency_ms": 0}}}, KNOWN))
    assert controller.is_active


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("bogus=1", "--fault 'bogus=1': unknown field 'bogus'"),
        ("error_status=99", "--fault 'error_status=99', field error_status: invalid value 99"),
        (
            "getTeamSpend:error_rate=2",
            "--fault 'getTeamSpend:error_rate=2', field error_rate: invalid rate 2",
        ),
        ("getNothing:latency_ms=5", "--fault 'getNothing:latency_ms=5': operation 'getNothing' not found"),
    ],
)
def test_fault_option_error_names_option(spec: str, expected: str) -> None:
    with pytest.raises(FaultConfigError) as raised:
        build_fault_config(None, [spec], seed=None, known_operations=KNOWN)

    assert str(raised.value).startswith(expected)
    assert "body" not in str(raised.value)
    assert "global" not in str(raised.value)


def test_unknown_operation_option_keeps_class() -> None:
    with pytest.raises(UnknownOperation):
        build_fault_config(None, ["getNothing:latency_ms=5"], seed=None, known_operations=KNOWN)


def test_reversed_latency_option_says_reversed() -> None:
    with pytest.raises(FaultConfigError) as raised:
        build_fault_config(None, ["latency_ms=400-100"], seed=None, known_operations=KNOWN)

    assert "range is reversed" in str(raised.value)
    assert "100-400" in str(raised.value)


def test_fault_file_error_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text("operations:\n  getTeamSpend:\n    latency_ms: [400, 100]\n")

    with pytest.raises(FaultConfigError) as raised:
        build_fault_config(path, [], seed=None, known_operations=KNOWN)

    message = str(raised.value)
    assert message.startswith(f"--faults-file {path} at operations.getTeamSpend.latency_ms:")
    assert "range is reversed" in message
    assert "body" not in message
