"""The verdict and exit code of a run follow from its operation states, as results.json documents."""

from __future__ import annotations

from contract_tests.errors import ExitCode, TargetUnreachable, UsageError, exit_code_for
from contract_tests.results import (
    FailureRecord,
    OperationResult,
    OperationState,
    RunInfo,
    RunResults,
    ScenarioResult,
    Verdict,
)

INFO = RunInfo(
    "2026-12-04T20:00:00Z",
    "2026-12-04T20:01:00Z",
    1,
    25,
    "extended",
    {"url": "in-process mock", "kind": "in-process"},
    True,
    "kmsct-000000",
)
FAILURE = FailureRecord("money_is_decimal_string", "quota", "bad", '"1"', "1.0", 200, "curl ...")


def operation(state: OperationState | None = None, tests: int = 1, failures: int = 0) -> OperationResult:
    result = OperationResult(
        "getOrganization", "GET", "/organizations/{c_organization_id}", "proposed", "high"
    )
    result.tests_run = tests
    for index in range(failures):
        result.record_failure(FailureRecord("check", "t", f"message {index}", "e", "r", 200, "curl"))
    if state is not None:
        result.state = state
    result.conclude()
    return result


def test_all_conform_holds() -> None:
    results = RunResults(INFO, [operation(), operation()])

    assert results.verdict() is Verdict.HOLDS
    assert results.to_dict()["summary"]["exit_code"] == 0


def test_violation_beats_gap() -> None:
    results = RunResults(INFO, [operation(failures=1), operation(OperationState.MISSING, tests=0)])

    assert results.verdict() is Verdict.VIOLATIONS
    assert results.to_dict()["summary"]["exit_code"] == 1


def test_gaps_only_exit_3_or_0() -> None:
    results = RunResults(INFO, [operation(), operation(OperationState.MISSING, tests=0)])

    assert results.to_dict()["summary"]["exit_code"] == 3
    assert results.to_dict(gaps_ok=True)["summary"]["exit_code"] == 0
    assert results.to_dict(gaps_ok=True)["summary"]["verdict"] == "gaps_only"


def test_nothing_executed_could_not_run() -> None:
    results = RunResults(INFO, [operation(tests=0), operation(OperationState.MISSING, tests=0)])

    assert results.verdict() is Verdict.COULD_NOT_RUN
    assert results.to_dict()["summary"]["exit_code"] == 4


def test_failed_scenario_is_violation() -> None:
    results = RunResults(INFO, [operation()], scenarios=[ScenarioResult("recharge_flow", "failed", "x")])

    assert results.verdict() is Verdict.VIOLATIONS


def test_identical_failures_kept_once() -> None:
    result = OperationResult("getOrganization", "GET", "/x", "proposed", "high")

    result.record_failure(FAILURE)
    result.record_failure(FAILURE)

    assert len(result.failures) == 1
    assert result.checks[0].failed == 2


def test_state_counts_in_summary() -> None:
    results = RunResults(
        INFO, [operation(), operation(failures=2), operation(OperationState.MISSING, tests=0)]
    )

    states = results.to_dict()["summary"]["states"]

    assert states == {"conforms": 1, "violates": 1, "missing": 1, "not_tested": 0}


def test_results_dict_fields() -> None:
    data = RunResults(INFO, [operation()]).to_dict()

    assert data["schema_version"] == 1
    assert data["tool"] == {"name": "kms-contract", "version": "0.1.0"}
    assert "target_document" not in data
    assert set(data["operations"][0]) == {
        "operationId",
        "method",
        "path",
        "availability",
        "priority",
        "state",
        "reason",
        "reason_zh",
        "tests_run",
        "checks",
        "failures",
    }


def test_exit_code_for_errors() -> None:
    assert exit_code_for(UsageError("x")) is ExitCode.USAGE
    assert exit_code_for(TargetUnreachable("x")) is ExitCode.COULD_NOT_RUN
    assert exit_code_for(RuntimeError("x")) is ExitCode.COULD_NOT_RUN


def test_run_results_pass_report_validation() -> None:
    from contract_tests.runner import RunConfig, run
    from reports import validate_results

    results = run(RunConfig(max_examples=2, seed=1)).to_dict()

    validate_results(results)
    assert results["summary"]["verdict"] == "holds"
