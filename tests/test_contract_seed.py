"""The same seed gives the same run: the same requests, counts and findings, stateful phase included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract_tests.cli import invoke
from contract_tests.runner import RunConfig, _run_prefix
from contract_tests.target import make_target

TIMESTAMPS = ("started_at", "finished_at")


def results_without_timestamps(report_dir: Path, seed: str) -> dict[str, Any]:
    code = invoke(["run", "--seed", seed, "--max-examples", "10", "--report-dir", str(report_dir)])
    assert code == 0, (report_dir / "results.json").read_text("utf-8")[:3000]
    results: dict[str, Any] = json.loads((report_dir / "results.json").read_text("utf-8"))
    for name in TIMESTAMPS:
        del results["run"][name]
    return results


@pytest.mark.slow
def test_same_seed_gives_identical_results(tmp_path: Path) -> None:
    first = results_without_timestamps(tmp_path / "first", "5")
    second = results_without_timestamps(tmp_path / "second", "5")

    assert first["operations"] == second["operations"]
    assert first["scenarios"] == second["scenarios"]
    assert first == second


def test_in_process_prefix_follows_seed() -> None:
    target = make_target(None, False)

    assert _run_prefix(RunConfig(seed=5), target) == _run_prefix(RunConfig(seed=5), target)
    assert _run_prefix(RunConfig(seed=5), target) != _run_prefix(RunConfig(seed=6), target)


def test_real_server_prefix_stays_random() -> None:
    target = make_target("http://127.0.0.1:3090", False)

    assert _run_prefix(RunConfig(seed=5), target) != _run_prefix(RunConfig(seed=5), target)
