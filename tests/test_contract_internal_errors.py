"""A failure of hypothesis or schemathesis on one operation never ends the run."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hypothesis.errors import FlakyStrategyDefinition
from schemathesis.python import asgi

import spec
from contract_tests import fuzzing
from contract_tests.results import OperationState, RunResults, Verdict
from contract_tests.runner import RunConfig, default_app, run

BROKEN_OPERATION = "getHealth"


def inconsistent(**kwargs: Any) -> Any:
    """Stand in for a strategy that hypothesis rejects while drawing, as with a flaky strategy."""
    raise FlakyStrategyDefinition("Inconsistent data generation! (simulated)")


def run_with_broken(monkeypatch: pytest.MonkeyPatch, broken: set[str]) -> RunResults:
    """Run the suite while building the strategies of the `broken` operations fails."""
    original = fuzzing.fuzz_operation

    def breaking(operation: Any, evaluator: Any, fuzz: Any) -> None:
        if operation.definition.raw["operationId"] in broken:
            monkeypatch.setattr(operation, "as_strategy", inconsistent)
        original(operation, evaluator, fuzz)

    monkeypatch.setattr(fuzzing, "fuzz_operation", breaking)
    return run(RunConfig(max_examples=2, seed=1, stateful=False, scenarios=False))


def test_broken_operation_is_not_tested(monkeypatch: pytest.MonkeyPatch) -> None:
    results = run_with_broken(monkeypatch, {BROKEN_OPERATION})

    broken = results.operation(BROKEN_OPERATION)
    assert broken.state is OperationState.NOT_TESTED
    assert "FlakyStrategyDefinition" in broken.reason
    assert "Inconsistent data generation" in broken.reason


def test_other_operations_still_run(monkeypatch: pytest.MonkeyPatch) -> None:
    results = run_with_broken(monkeypatch, {BROKEN_OPERATION})

    others = [result for result in results.operations if result.operationId != BROKEN_OPERATION]
    assert all(result.state is OperationState.CONFORMS for result in others)
    assert results.verdict() is Verdict.HOLDS


def test_nothing_ran_is_could_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    every = {operation.operation_id for operation in spec.operations(spec.load_spec())}

    results = run_with_broken(monkeypatch, every)

    assert results.verdict() is Verdict.COULD_NOT_RUN
    assert results.to_dict()["summary"]["exit_code"] == 4


def test_internal_error_in_request_is_recorded() -> None:
    class BrokenSession(requests.Session):
        """Delegates to the in-process app but fails on one path, as a tool bug would."""

        def __init__(self) -> None:
            super().__init__()
            self.inner = asgi.get_client(default_app())

        def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
            if str(url).endswith("/health"):
                raise RuntimeError("simulated tool failure")
            return self.inner.request(method, url, *args, **kwargs)

    results = run(RunConfig(session=BrokenSession(), max_examples=2, seed=1, stateful=False))

    health = results.operation("getHealth")
    assert health.state is OperationState.NOT_TESTED
    assert "simulated tool failure" in health.reason
    assert "internal_error" not in results.to_dict()["operations"][0]
