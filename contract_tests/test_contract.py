"""The contract as pytest tests: one per operation and one per scenario (options: see pytest_plugin.py)."""

from __future__ import annotations

import pytest

from contract_tests.results import OperationState, RunResults


def test_operation_holds(contract_run: RunResults, operation_id: str) -> None:
    result = contract_run.operation(operation_id)
    if result.state in (OperationState.MISSING, OperationState.NOT_TESTED):
        pytest.skip(f"{result.state.value}: {result.reason}")

    details = "\n\n".join(
        f"[{failure.check}] {failure.title}\n{failure.message}\nexpected: {failure.expected}\n"
        f"received: {failure.received}\nreproduce:\n" + "\n".join([*failure.steps, failure.curl])
        for failure in result.failures
    )
    assert result.state is OperationState.CONFORMS, details


def test_scenario_passes(contract_run: RunResults, scenario_name: str) -> None:
    scenario = next(s for s in contract_run.scenarios if s.name == scenario_name)
    if scenario.state == "skipped":
        pytest.skip(scenario.message)

    assert scenario.state == "passed", scenario.message
