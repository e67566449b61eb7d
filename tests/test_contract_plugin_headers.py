"""The pytest plugin's --kms-header option: parsed like --header and masked in curls."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from contract_tests.client import MASK
from contract_tests.pytest_plugin import config_from_options
from contract_tests.runner import run

DEFAULTS: dict[str, Any] = {
    "--kms-url": None,
    "--kms-view": "extended",
    "--kms-allow-writes": False,
    "--kms-max-examples": 1,
    "--kms-seed": 1,
    "--kms-header": [],
}


def _options(**changes: Any) -> Any:
    values = {**DEFAULTS, **{f"--kms-{name.replace('_', '-')}": value for name, value in changes.items()}}
    return values.__getitem__


def test_repeated_headers_parsed() -> None:
    config = config_from_options(_options(header=["Authorization: Bearer s3cret", "X-Team: blue"]))

    assert config.headers == {"Authorization": "Bearer s3cret", "X-Team": "blue"}


def test_malformed_header_is_usage_error() -> None:
    with pytest.raises(pytest.UsageError, match="--kms-header"):
        config_from_options(_options(header=["no-colon"]))


def test_header_value_masked_in_curls() -> None:
    config = config_from_options(_options(header=["Authorization: Bearer s3cret"]))
    config.stateful = False

    results = run(config).to_dict()

    curls = [failure["curl"] for op in results["operations"] for failure in op["failures"]]
    assert "s3cret" not in str(results)
    assert all(MASK in curl for curl in curls if "Authorization" in curl)


def test_option_listed_in_pytest_help() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--help", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert "--kms-header" in completed.stdout
