"""The expected field of a failure states the expectation, never the failure's title."""

from __future__ import annotations

from typing import Any

import pytest
from faulty import faulty_app

from contract_tests.runner import RunConfig, run


@pytest.fixture(scope="module")
def status_fault_results() -> dict[str, Any]:
    return run(
        RunConfig(app=faulty_app("create_answers_202"), max_examples=3, seed=8, stateful=False)
    ).to_dict()


def _status_failures(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        failure
        for operation in results["operations"]
        for failure in operation["failures"]
        if failure["check"] == "status_code_conformance"
    ]


def test_undocumented_status_found(status_fault_results: dict[str, Any]) -> None:
    assert _status_failures(status_fault_results)


def test_expected_lists_documented_statuses(status_fault_results: dict[str, Any]) -> None:
    expected = [failure["expected"] for failure in _status_failures(status_fault_results)]

    assert all(text.startswith("one of the documented statuses ") for text in expected), expected


def test_expected_differs_from_title(status_fault_results: dict[str, Any]) -> None:
    failures = _status_failures(status_fault_results)

    assert all(failure["expected"] != failure["title"] for failure in failures)
