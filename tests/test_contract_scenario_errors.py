"""Scenario errors fail the run, and failure messages name the response received and the step's curl."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from faulty import faulty_app
from schemathesis.python import asgi

from contract_tests.results import RunResults, Verdict
from contract_tests.runner import RunConfig, run

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def json_echo_app() -> FastAPI:
    """Build a server that returns the same non-KMS JSON object for every request."""
    app = FastAPI()

    @app.api_route("/{rest:path}", methods=ALL_METHODS, include_in_schema=False)
    def anything(rest: str) -> dict[str, bool]:
        return {"ok": True}

    return app


def _run_against(app: FastAPI) -> RunResults:
    return run(
        RunConfig(
            url="http://kms.example.test",
            session=asgi.get_client(app),  # type: ignore[arg-type]  # FastAPI's ASGI signature is wider
            allow_writes=True,
            max_examples=1,
            seed=5,
            run_prefix="kmsct-e77011",
            stateful=False,
        )
    )


@pytest.fixture(scope="module")
def echo_run() -> RunResults:
    return _run_against(json_echo_app())


def test_internal_error_counts_as_failed(echo_run: RunResults) -> None:
    states = {scenario.state for scenario in echo_run.scenarios}

    assert "failed" in states
    assert not any("internal error" in s.message for s in echo_run.scenarios if s.state == "skipped")


def test_internal_error_message_names_error(echo_run: RunResults) -> None:
    messages = [s.message for s in echo_run.scenarios if "internal error" in s.message]

    assert messages
    assert "KeyError" in messages[0] or "TypeError" in messages[0]
    assert "curl " in messages[0]


def test_internal_error_verdict_not_holds(echo_run: RunResults) -> None:
    assert echo_run.verdict() is not Verdict.HOLDS


@pytest.fixture(scope="module")
def status_run() -> RunResults:
    return run(RunConfig(app=faulty_app("create_answers_202"), max_examples=1, seed=5, stateful=False))


def _status_failures(outcome: RunResults) -> list[str]:
    return [
        s.message for s in outcome.scenarios if s.state == "failed" and "expected 200 or 201" in s.message
    ]


def test_failed_step_says_what_was_received(status_run: RunResults) -> None:
    messages = _status_failures(status_run)

    assert messages
    assert "returned 202 with body" in messages[0]


def test_failed_step_gives_curl(status_run: RunResults) -> None:
    messages = _status_failures(status_run)

    assert messages
    assert "Reproduce: curl -X POST" in messages[0]
