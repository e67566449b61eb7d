"""Data the suite creates carries the run prefix, and is deleted or reported as left over."""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis.python import asgi

from contract_tests.fuzzing import WEBHOOK_MAX_EXAMPLES
from contract_tests.runner import RunConfig, run
from mock_server.app import create_app
from mock_server.config import MockSettings

PREFIX = "kmsct-c1ea0f"


def state_of(app: Any) -> dict[str, Any]:
    response = asgi.get_client(app).get("http://testserver/_mock/state")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def organization_ids(state: dict[str, Any]) -> list[str]:
    return [organization["c_organization_id"] for organization in state["organizations"]]


@pytest.mark.slow
def test_created_ids_carry_run_prefix() -> None:
    app = create_app(MockSettings(strict=True))

    run(RunConfig(app=app, max_examples=10, seed=9, run_prefix=PREFIX))

    created = organization_ids(state_of(app))
    assert created, "the run created no organization"
    assert [value for value in created if not value.startswith(PREFIX)] == []


@pytest.mark.slow
def test_remote_run_deletes_what_it_created() -> None:
    app = create_app(MockSettings(strict=True))
    session = asgi.get_client(app)

    outcome = run(
        RunConfig(
            url="http://kms.example.test",
            session=session,
            allow_writes=True,
            max_examples=5,
            seed=9,
            run_prefix=PREFIX,
        )
    )

    assert organization_ids(state_of(app)) == []
    assert [leftover.kind for leftover in outcome.leftovers if leftover.kind != "webhook"] == []


def test_leftovers_listed_without_delete_operation() -> None:
    app = create_app(MockSettings(profile="live", strict=True))
    session = asgi.get_client(app)

    outcome = run(
        RunConfig(
            url="http://kms.example.test",
            session=session,
            allow_writes=True,
            max_examples=3,
            seed=9,
            run_prefix=PREFIX,
            stateful=False,
        )
    )

    remaining = organization_ids(state_of(app))
    left_over = {leftover.id for leftover in outcome.leftovers if leftover.kind == "organization"}
    assert remaining
    assert left_over == set(remaining)
    assert all("deleteOrganization" in leftover.reason for leftover in outcome.leftovers)


@pytest.fixture(scope="module")
def webhook_run() -> tuple[Any, Any]:
    """Run the suite once against a mock reached as a remote target with writes on."""
    app = create_app(MockSettings(strict=True))
    outcome = run(
        RunConfig(
            url="http://kms.example.test",
            session=asgi.get_client(app),
            allow_writes=True,
            max_examples=25,
            seed=9,
            run_prefix=PREFIX,
            scenarios=False,
        )
    )
    return app, outcome


@pytest.mark.slow
def test_webhooks_point_only_at_suite_receiver(webhook_run: tuple[Any, Any]) -> None:
    app, _ = webhook_run

    urls = [webhook["url"] for webhook in state_of(app)["webhooks"]]
    assert urls, "the run registered no webhook"
    assert len(set(urls)) == 1
    assert urls[0].startswith("http://127.0.0.1:")
    assert urls[0].endswith("/kmsct-webhook")


@pytest.mark.slow
def test_webhook_registrations_stay_few(webhook_run: tuple[Any, Any]) -> None:
    app, _ = webhook_run

    assert len(state_of(app)["webhooks"]) <= 2 * WEBHOOK_MAX_EXAMPLES


@pytest.mark.slow
def test_webhook_leftovers_name_receiver_and_reason(webhook_run: tuple[Any, Any]) -> None:
    app, outcome = webhook_run

    registered = {webhook["id"] for webhook in state_of(app)["webhooks"]}
    listed = [leftover for leftover in outcome.leftovers if leftover.kind == "webhook"]
    assert {leftover.id for leftover in listed} == registered
    assert all("no operation that deletes a webhook" in leftover.reason for leftover in listed)
    assert all("/kmsct-webhook" in leftover.reason for leftover in listed)
