"""A real run of the suite catches each seeded fault of the faulty mock variants."""

from __future__ import annotations

import pytest
from faulty import FAULTS, faulty_app

from contract_tests.runner import RunConfig, run


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FAULTS))
def test_suite_catches_fault(name: str) -> None:
    fault = FAULTS[name]

    outcome = run(RunConfig(app=faulty_app(name), max_examples=5, seed=7))

    operation = outcome.operation(fault.operation_id)
    failed_checks = {failure.check for failure in operation.failures}
    assert fault.check in failed_checks, f"{name}: {fault.operation_id} failed only {failed_checks}"
    assert operation.state.value == "violates"
    assert outcome.to_dict()["summary"]["exit_code"] == 1


def test_faults_cover_ten_distinct_checks() -> None:
    assert len({fault.check for fault in FAULTS.values()}) >= 10
