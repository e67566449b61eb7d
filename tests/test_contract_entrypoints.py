"""Other ways to start the suite: the CI job script and `pytest contract_tests`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import spec
from contract_tests import pytest_plugin, runner
from contract_tests.scenarios import SCENARIOS

REPO = Path(__file__).resolve().parent.parent
JOB_TIMEOUT_SECONDS = 300


def environment(**extra: str) -> dict[str, str]:
    """The current environment with the virtual environment's scripts first on PATH, minus KMS_* settings."""
    scripts = str(Path(sys.executable).parent)
    env = {name: value for name, value in os.environ.items() if not name.startswith("KMS_")}
    env["PATH"] = scripts + os.pathsep + env.get("PATH", "")
    return {**env, **extra}


@pytest.mark.slow
def test_job_script_against_started_mock(tmp_path: Path) -> None:
    completed = subprocess.run(
        ["bash", str(REPO / "scripts" / "contract-job.sh")],
        env=environment(KMS_REPORT_DIR=str(tmp_path), KMS_MAX_EXAMPLES="2", KMS_SEED="4"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=JOB_TIMEOUT_SECONDS,
    )

    results = json.loads((tmp_path / "results.json").read_text("utf-8"))
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert results["summary"]["verdict"] == "holds"
    assert results["run"]["target"]["kind"] == "loopback"
    assert (tmp_path / "junit.xml").exists()


@pytest.mark.slow
def test_job_script_keeps_gap_exit_code(tmp_path: Path) -> None:
    completed = subprocess.run(
        ["bash", str(REPO / "scripts" / "contract-job.sh")],
        env=environment(KMS_REPORT_DIR=str(tmp_path), KMS_MAX_EXAMPLES="2", KMS_MOCK_PROFILE="live"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=JOB_TIMEOUT_SECONDS,
    )

    assert completed.returncode == 3, completed.stdout[-3000:] + completed.stderr[-3000:]


@pytest.mark.slow
def test_pytest_plugin_runs_contract() -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "contract_tests",
            "-q",
            "-p",
            "no:cacheprovider",
            "--kms-max-examples",
            "2",
            "--kms-seed",
            "1",
        ],
        env=environment(),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=JOB_TIMEOUT_SECONDS,
    )

    expected_tests = len(spec.operations(spec.load_spec())) + len(SCENARIOS)
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert f"{expected_tests} passed" in completed.stdout


def test_pytest11_entry_point_names_plugin() -> None:
    plugins = {entry.name: entry.value for entry in entry_points(group="pytest11")}

    assert plugins.get("kms_contract") == "contract_tests.pytest_plugin"


def test_plugin_defaults_match_runner() -> None:
    assert pytest_plugin.VIEWS == runner.VIEWS
    assert pytest_plugin.DEFAULT_MAX_EXAMPLES == runner.DEFAULT_MAX_EXAMPLES


@pytest.mark.slow
def test_pyargs_outside_checkout_loads_options(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "contract_tests", "-q", "-p", "no:cacheprovider"]
        + ["--kms-max-examples", "2", "--kms-seed", "1", "--kms-view", "live"],
        env=environment(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=JOB_TIMEOUT_SECONDS,
    )

    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert not (tmp_path / ".hypothesis").exists()
