"""A check count is the number of responses the check judged: at most one per response."""

from __future__ import annotations

from typing import Any

import pytest
from faulty import faulty_app

from contract_tests.results import FailureRecord, OperationResult
from contract_tests.runner import RunConfig, run


def _failure(message: str) -> FailureRecord:
    return FailureRecord("money_is_decimal_string", "t", message, "e", "r", 200, "curl")


def test_many_failures_count_one_response() -> None:
    result = OperationResult("listOrganizations", "GET", "/organizations/", "live", None, tests_run=1)

    result.record_check("money_is_decimal_string", [_failure("item 1"), _failure("item 2")])

    assert result.checks[0].failed == 1
    assert len(result.failures) == 2


@pytest.fixture(scope="module")
def list_fault_results() -> dict[str, Any]:
    # Every listed organization gets an exponent quota, so one list response carries many violations.
    app = faulty_app("quota_in_exponent_notation")
    return run(RunConfig(app=app, max_examples=5, seed=6)).to_dict()


def test_check_counts_fit_tests_run(list_fault_results: dict[str, Any]) -> None:
    too_many = [
        (operation["operationId"], check["name"])
        for operation in list_fault_results["operations"]
        for check in operation["checks"]
        if check["passed"] + check["failed"] > operation["tests_run"]
    ]

    assert too_many == []


def test_list_fault_still_fails(list_fault_results: dict[str, Any]) -> None:
    listing = next(op for op in list_fault_results["operations"] if op["operationId"] == "listOrganizations")
    money = next(check for check in listing["checks"] if check["name"] == "money_is_decimal_string")

    assert money["failed"] >= 1


def test_not_applicable_completes_count(list_fault_results: dict[str, Any]) -> None:
    mismatched = [
        check["name"]
        for operation in list_fault_results["operations"]
        for check in operation["checks"]
        if check["passed"] + check["failed"] + check["not_applicable"] != operation["tests_run"]
    ]

    assert mismatched == []
