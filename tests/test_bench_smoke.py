"""bench/run.py --quick runs end to end against the mock and the ceiling app.

This checks that the benchmark works, not how fast anything is: speed goals
live in bench/README.md, and a timed assertion here would fail on a busy CI
machine for reasons that have nothing to do with the code.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[1]
# Quick mode needs about 30 s; the limit only stops a hung run.
RUN_TIMEOUT_S = 240

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed: apt-get install -y wrk"),
    pytest.mark.skipif(shutil.which("taskset") is None, reason="taskset (util-linux) is not installed"),
    pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the benchmark pins server and wrk to two cores"),
]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out_dir = tmp_path_factory.mktemp("bench-out")
    argv = [sys.executable, "bench/run.py", "--quick", "--servers", "mock,ceiling", "--out", str(out_dir)]
    completed = subprocess.run(
        argv, cwd=REPO_DIR, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )
    return completed, out_dir


def test_quick_run_exits_zero(quick_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    completed, _ = quick_run

    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_quick_run_measures_every_cell(quick_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    _, out_dir = quick_run

    results = json.loads((out_dir / "results.json").read_text())
    cells = {(cell["server"], cell["request"], cell["concurrency"]) for cell in results["load"]}

    assert len(cells) == 12
    assert all(cell["valid"] for cell in results["load"])
    assert all(cell["requests"] > 0 for cell in results["load"])


def test_quick_run_measures_startup_and_flat_spend(
    quick_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, out_dir = quick_run

    results = json.loads((out_dir / "results.json").read_text())

    assert results["errors"] == []
    assert len(results["startup"]["runs_s"]) == 2
    assert results["spend_flat"]["large"]["valid"] is True
    assert results["spend_flat"]["large_keys"] == 2000


def test_quick_run_measures_in_process_cost(
    quick_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, out_dir = quick_run

    costs = json.loads((out_dir / "results.json").read_text())["asgi_cost"]
    measured = {(cost["app"], cost["request"]) for cost in costs}

    assert len(measured) == 4
    assert all(cost["cpu_us_per_request"] > 0 for cost in costs)


def test_quick_run_prints_targets_table(quick_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    completed, out_dir = quick_run

    assert "| spend read vs bare FastAPI |" in completed.stdout
    assert (out_dir / "results.md").read_text() in completed.stdout
