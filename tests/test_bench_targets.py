"""The benchmark's target judgement and wrk report parsing, without running any server."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "bench"


def load_bench_module(name: str) -> ModuleType:
    # bench/ contains scripts, not a package. Loading them by path under a prefixed
    # name keeps their short module names (load, targets) out of sys.modules.
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is built.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


targets = load_bench_module("targets")
load = load_bench_module("load")


def cell(
    server: str, request: str, requests_per_s: float, *, p99_ms: float = 2.0, valid: bool = True
) -> dict[str, Any]:
    return {
        "server": server, "request": request, "concurrency": 16,
        "requests_per_s": requests_per_s, "p99_ms": p99_ms, "valid": valid,
    }


def results_with(cells: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"load": cells, "startup": None, "spend_flat": None, **extra}


def target_named(results: dict[str, Any], name: str) -> Any:
    return next(target for target in targets.evaluate(results) if target.name == name)


def test_spend_vs_prism_met_at_double() -> None:
    cells = [cell("mock", targets.SPEND_READ, 8000), cell("prism", targets.SPEND_READ, 4000)]

    target = target_named(results_with(cells), "spend read vs Prism")

    assert target.met is True
    assert target.measured.startswith("2.00x")


def test_spend_vs_prism_missed_below_double() -> None:
    cells = [cell("mock", targets.SPEND_READ, 7999), cell("prism", targets.SPEND_READ, 4000)]

    assert target_named(results_with(cells), "spend read vs Prism").met is False


def test_invalid_cell_not_evaluated() -> None:
    cells = [cell("mock", targets.SPEND_READ, 9000, valid=False), cell("prism", targets.SPEND_READ, 100)]

    assert target_named(results_with(cells), "spend read vs Prism").met is None


def test_missing_baseline_not_evaluated() -> None:
    cells = [cell("mock", targets.CREATE_KEY, 9000)]

    assert target_named(results_with(cells), "create key vs Prism").met is None


def test_p99_at_ten_ms_missed() -> None:
    cells = [cell("mock", targets.SPEND_READ, 9000, p99_ms=10.0)]

    assert target_named(results_with(cells), "spend read p99 at c=16").met is False


def test_startup_judged_on_median() -> None:
    results = results_with([], startup={"median_s": 1.49, "runs_s": [1.49]})

    assert target_named(results, "kms-mock start-up (median)").met is True


@pytest.mark.parametrize(("large_rps", "met"), [(8500.0, True), (8400.0, False)])
def test_flat_spend_ratio_threshold(large_rps: float, met: bool) -> None:
    flat = {
        "small": cell("mock", targets.SPEND_READ, 10000),
        "large": cell("mock", targets.SPEND_READ, large_rps),
        "small_keys": 100, "large_keys": 100_000,
    }

    assert target_named(results_with([], spend_flat=flat), "spend read flat in key count").met is met


def test_wrk_report_parsed_into_cell() -> None:
    stdout = (
        "Running 1s test @ http://127.0.0.1:1/\n"
        'WRK_JSON {"requests": 500, "duration_us": 1000000, "non_2xx": 2, '
        '"socket_errors": {"connect": 0, "read": 1, "write": 0, "timeout": 0}, '
        '"latency_us": {"mean": 900.0, "p50": 800, "p90": 1500, "p99": 2500, "max": 4000}}\n'
    )

    result = load.to_cell("mock", "GET /x", 16, load.parse_report(stdout))

    assert result.requests_per_s == 500.0
    assert result.p99_ms == 2.5
    assert result.socket_errors == 1
    assert result.valid is False


def test_wrk_report_missing_line_raises() -> None:
    with pytest.raises(RuntimeError, match="WRK_JSON"):
        load.parse_report("Running 1s test\n")
