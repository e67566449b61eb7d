"""Whole runs of the contract suite against the mock: in process, over loopback, and as a remote target."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from fixtures_server import LOOPBACK, free_port, kms_mock_command, wait_until_serving
from schemathesis.python import asgi

import spec
from contract_tests.cli import invoke
from contract_tests.runner import RunConfig, default_app, run

NOT_LIVE = {op.operation_id for op in spec.operations(spec.load_spec()) if op.availability != "live"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def run_cli(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code = invoke(["run", "--report-dir", str(tmp_path), "--seed", "3", *args])
    return code, json.loads((tmp_path / "results.json").read_text("utf-8"))


@contextmanager
def live_mock(log_path: Path) -> Iterator[str]:
    """Run `kms-mock --profile live` on loopback, logging to a file, because an unread pipe blocks it."""
    port = free_port()
    command = kms_mock_command("--host", LOOPBACK, "--port", str(port), "--profile", "live")
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(f"http://{LOOPBACK}:{port}", process)
            yield f"http://{LOOPBACK}:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.mark.slow
def test_in_process_mock_conforms(tmp_path: Path) -> None:
    code, results = run_cli(tmp_path, "--max-examples", "10")

    states = {op["operationId"]: op["state"] for op in results["operations"]}
    assert code == 0, json.dumps([op["failures"] for op in results["operations"] if op["failures"]])[:3000]
    assert set(states.values()) == {"conforms"}, states
    assert len(states) == len(spec.operations(spec.load_spec()))
    assert all(scenario["state"] == "passed" for scenario in results["scenarios"]), results["scenarios"]


@pytest.mark.slow
def test_live_profile_reports_gaps(tmp_path: Path) -> None:
    with live_mock(tmp_path / "mock.log") as base_url:
        code, results = run_cli(tmp_path, "--url", base_url, "--max-examples", "5")

    missing = {op["operationId"] for op in results["operations"] if op["state"] == "missing"}
    violating = [op["operationId"] for op in results["operations"] if op["state"] == "violates"]
    assert missing == NOT_LIVE
    assert violating == []
    assert code == 3
    assert results["summary"]["verdict"] == "gaps_only"


@pytest.mark.slow
def test_gaps_ok_turns_gaps_into_success(tmp_path: Path) -> None:
    with live_mock(tmp_path / "mock.log") as base_url:
        code, _results = run_cli(tmp_path, "--url", base_url, "--max-examples", "2", "--gaps-ok")

    assert code == 0


class RecordingASGIClient(asgi.ASGIClient):
    """Sends every URL to the in-process mock and records each request."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.seen: list[tuple[str, str]] = []
        self.authorizations: list[str | None] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        self.seen.append((str(method).upper(), str(url)))
        response = super().request(method, url, *args, **kwargs)
        self.authorizations.append(response.request.headers.get("Authorization"))
        return response


def test_remote_target_gets_only_reads() -> None:
    session = RecordingASGIClient(default_app())

    outcome = run(RunConfig(url="http://kms.example.test", session=session, max_examples=3, seed=1))

    methods = {method for method, _url in session.seen}
    assert session.seen, "the injected session was never used"
    assert methods <= {"GET", "HEAD"}, methods
    assert all(url.startswith("http://kms.example.test/") for _method, url in session.seen)
    assert outcome.run.target["kind"] == "remote"


def test_remote_target_leaves_writes_untested() -> None:
    session = RecordingASGIClient(default_app())

    outcome = run(RunConfig(url="http://kms.example.test", session=session, max_examples=2, seed=1))

    states = {op.operationId: (op.method, op.state.value) for op in outcome.operations}
    assert {state for method, state in states.values() if method in WRITE_METHODS} == {"not_tested"}
    assert {state for method, state in states.values() if method == "GET"} == {"conforms"}
    assert all(scenario.state == "skipped" for scenario in outcome.scenarios)


def test_remote_with_allow_writes_sends_writes() -> None:
    session = RecordingASGIClient(default_app())

    run(
        RunConfig(
            url="http://kms.example.test",
            session=session,
            allow_writes=True,
            max_examples=2,
            seed=1,
            stateful=False,
        )
    )

    assert {method for method, _url in session.seen} & WRITE_METHODS


def test_junit_counts_match_results(tmp_path: Path) -> None:
    _code, results = run_cli(tmp_path, "--max-examples", "2")

    root = ET.parse(tmp_path / "junit.xml").getroot()
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    expected_cases = sum(max(1, len(op["checks"])) for op in results["operations"]) + len(
        results["scenarios"]
    )
    assert int(suite.get("tests", "-1")) == len(cases) == expected_cases
    failed_checks = sum(1 for op in results["operations"] for check in op["checks"] if check["failed"])
    assert int(suite.get("failures", "-1")) == failed_checks


def test_unreachable_target_exits_4(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"

    code = invoke(["run", "--url", closed, "--report-dir", str(tmp_path)])

    assert code == 4
    assert json.loads((tmp_path / "results.json").read_text("utf-8"))["summary"]["verdict"] == "could_not_run"


@pytest.mark.slow
def test_same_seed_same_failures() -> None:
    from faulty import faulty_app

    def failures() -> list[tuple[str, str, str, int | None, int]]:
        config = RunConfig(
            app=faulty_app("remaining_off_by_one"), max_examples=8, seed=11, run_prefix="kmsct-5eed00"
        )
        results = run(config)
        return sorted(
            (op.operationId, f.check, f.title, f.status_code, op.tests_run)
            for op in results.operations
            for f in op.failures
        )

    first, second = failures(), failures()

    assert first
    assert first == second


def test_junit_failures_match_failed_checks(tmp_path: Path) -> None:
    from faulty import faulty_app

    from contract_tests.junit import write_junit

    results = run(RunConfig(app=faulty_app("litellm_key_without_sk"), max_examples=2, seed=5)).to_dict()

    suite = ET.parse(write_junit(results, tmp_path / "junit.xml")).getroot().find("testsuite")
    assert suite is not None
    failed = [case.get("name") for case in suite.findall("testcase") if case.find("failure") is not None]
    expected = [check["name"] for op in results["operations"] for check in op["checks"] if check["failed"]]
    expected += [scenario["name"] for scenario in results["scenarios"] if scenario["state"] == "failed"]
    assert failed == expected
    assert "litellm_key_starts_with_sk" in failed
    assert int(suite.get("failures", "-1")) == len(expected)


def test_live_view_of_mock_holds(tmp_path: Path) -> None:
    code, results = run_cli(tmp_path, "--view", "live", "--max-examples", "2")

    live = {op.operation_id for op in spec.operations(spec.view(spec.load_spec(), "live"))}
    assert code == 0
    assert {op["operationId"] for op in results["operations"]} == live
    assert results["run"]["view"] == "live"


def test_header_option_sent_on_every_request() -> None:
    session = RecordingASGIClient(default_app())

    run(
        RunConfig(
            url="http://kms.example.test",
            session=session,
            headers={"Authorization": "Bearer t0k"},
            max_examples=2,
            seed=1,
        )
    )

    assert session.authorizations
    assert set(session.authorizations) == {"Bearer t0k"}
