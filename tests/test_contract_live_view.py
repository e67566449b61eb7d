"""A live-view run against a server that also serves the proposed operations."""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis.python import asgi

from contract_tests.results import RunResults
from contract_tests.runner import RunConfig, run
from mock_server.app import create_app
from mock_server.config import MockSettings


@pytest.fixture(scope="module")
def live_view_run() -> tuple[Any, RunResults]:
    # The extended mock serves deleteOrganization and updateOrganizationQuota; the live view leaves them out.
    app = create_app(MockSettings(strict=True))
    outcome = run(
        RunConfig(
            url="http://kms.example.test",
            session=asgi.get_client(app),  # type: ignore[arg-type]  # FastAPI's ASGI signature is wider
            allow_writes=True,
            view="live",
            max_examples=2,
            seed=4,
            run_prefix="kmsct-11fe01",
            stateful=False,
        )
    )
    return app, outcome


def test_cleanup_deletes_created_organizations(live_view_run: tuple[Any, RunResults]) -> None:
    app, _ = live_view_run

    state = asgi.get_client(app).get("http://testserver/_mock/state").json()

    assert state["organizations"] == []


def test_no_organization_leftovers(live_view_run: tuple[Any, RunResults]) -> None:
    _, outcome = live_view_run

    assert [leftover for leftover in outcome.leftovers if leftover.kind != "webhook"] == []


def test_scenarios_never_claim_target_lacks(live_view_run: tuple[Any, RunResults]) -> None:
    _, outcome = live_view_run

    assert [s.message for s in outcome.scenarios if "target lacks" in s.message] == []


def test_scenario_skips_name_the_view(live_view_run: tuple[Any, RunResults]) -> None:
    _, outcome = live_view_run

    messages = [s.message for s in outcome.scenarios if s.state == "skipped"]
    assert any("the live view excludes" in message for message in messages), messages
