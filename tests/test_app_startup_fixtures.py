"""Start-up fixtures with a state file: they seed an empty store and are skipped afterwards."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_testclient import TestClient

from mock_server.app import create_app
from mock_server.config import MockSettings

EXAMPLE = Path(__file__).resolve().parents[1] / "mock_server" / "fixtures" / "example.yaml"


@pytest.fixture
def mock_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture the kms_mock logger even after the CLI has turned its propagation off."""
    logger = logging.getLogger("kms_mock")
    attach = not logger.propagate
    if attach:
        logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="kms_mock")
    try:
        yield caplog
    finally:
        if attach:
            logger.removeHandler(caplog.handler)


def start(state_file: Path) -> TestClient:
    settings = MockSettings(strict=True, state_file=state_file, fixtures=EXAMPLE)
    return TestClient(create_app(settings), raise_server_exceptions=False)


def test_second_start_keeps_saved_state(tmp_path: Path) -> None:
    state_file = tmp_path / "kms.sqlite3"
    with start(state_file) as first:
        organizations = first.get("/organizations/").json()
        first.put(f"/organizations/{organizations[0]['c_organization_id']}/quota", json={"quota": "7"})

    with start(state_file) as second:
        again = second.get("/organizations/").json()

    assert len(again) == len(organizations)
    assert again[0]["quota"] == "7"


def test_skipped_fixtures_logged_at_info(tmp_path: Path, mock_log: pytest.LogCaptureFixture) -> None:
    state_file = tmp_path / "kms.sqlite3"
    with start(state_file):
        pass
    mock_log.clear()

    with start(state_file):
        pass

    skipped = [record for record in mock_log.records if "skipped" in record.getMessage()]
    assert len(skipped) == 1
    assert skipped[0].levelno == logging.INFO
    assert "already contains data" in skipped[0].getMessage()


def test_empty_state_file_gets_fixtures(tmp_path: Path) -> None:
    state_file = tmp_path / "kms.sqlite3"
    with start(state_file) as client:
        client.post("/_mock/reset")

    with start(state_file) as client:
        organizations = client.get("/organizations/").json()

    assert organizations != []
