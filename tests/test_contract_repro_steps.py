"""A failure that depends on earlier requests carries their curls, so it can be reproduced."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from faulty import faulty_app

from contract_tests.junit import build_junit
from contract_tests.runner import RunConfig, run
from reports.render import render_markdown


@pytest.fixture(scope="module")
def spend_fault_results() -> dict[str, Any]:
    app = faulty_app("remaining_off_by_one")
    return run(RunConfig(app=app, max_examples=6, seed=12, run_prefix="kmsct-5e9500")).to_dict()


def _spend_failures(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        failure
        for operation in results["operations"]
        for failure in operation["failures"]
        if failure["check"] == "remaining_equals_quota_minus_spend"
    ]


def test_spend_failure_found(spend_fault_results: dict[str, Any]) -> None:
    assert _spend_failures(spend_fault_results)


def test_spend_failure_lists_create_step(spend_fault_results: dict[str, Any]) -> None:
    failures = _spend_failures(spend_fault_results)

    assert all(any("-X POST" in step for step in failure["steps"]) for failure in failures)


def test_junit_shows_create_step(spend_fault_results: dict[str, Any]) -> None:
    cases = build_junit(spend_fault_results).iter("testcase")
    spend_texts = [
        case.findtext("failure") or ""
        for case in cases
        if case.get("name") == "remaining_equals_quota_minus_spend"
    ]

    assert spend_texts
    assert "-X POST" in spend_texts[0]


def test_markdown_shows_create_step(spend_fault_results: dict[str, Any]) -> None:
    first = _spend_failures(spend_fault_results)[0]

    report = render_markdown(spend_fault_results, "en", {})

    assert first["steps"][0] in report


def test_markdown_renders_without_steps(spend_fault_results: dict[str, Any]) -> None:
    # Results written before steps existed have no such field and must still render.
    older = copy.deepcopy(spend_fault_results)
    for operation in older["operations"]:
        for failure in operation["failures"]:
            failure.pop("steps", None)

    report = render_markdown(older, "en", {})

    assert "remaining_equals_quota_minus_spend" in report
