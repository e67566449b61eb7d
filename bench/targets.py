"""Judge the measured numbers against the mock's speed targets.

Each target compares cells at the reference concurrency (16), because the
reference numbers for Prism and bare FastAPI were taken at that concurrency.
A cell's numbers are those of its fastest round (see load.combine_runs).
A target whose inputs are missing or come from an invalid cell (any non-2xx
response or socket error) is reported as not evaluated, never as met.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

REFERENCE_CONCURRENCY = 16
SPEND_READ = "GET /spend/org/{id}"
CREATE_KEY = "POST /keys/"
# Throughput with 100,000 keys must be at least this share of throughput with
# 100 keys for the spend read to count as flat. The margin allows for the
# variation between short wrk runs; it is a judgement, not a measured bound.
FLAT_MIN_RATIO = 0.85


@dataclass(frozen=True)
class TargetResult:
    """One target, what was measured against it, and whether it is met."""

    name: str
    goal: str
    measured: str
    met: bool | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


Cells = list[dict[str, Any]]


def find_cell(cells: Cells, server: str, request: str, concurrency: int) -> dict[str, Any] | None:
    for cell in cells:
        if (cell["server"], cell["request"], cell["concurrency"]) == (server, request, concurrency):
            return cell
    return None


def throughput_ratio_target(
    cells: Cells, request: str, other: str, minimum: float, name: str
) -> TargetResult:
    goal = f">= {minimum:g}x {other} req/s at c={REFERENCE_CONCURRENCY}"
    mock = find_cell(cells, "mock", request, REFERENCE_CONCURRENCY)
    baseline = find_cell(cells, other, request, REFERENCE_CONCURRENCY)
    if not _both_valid(mock, baseline):
        return TargetResult(name, goal, "not measured or invalid run", None)
    assert mock is not None and baseline is not None
    ratio = mock["requests_per_s"] / baseline["requests_per_s"]
    measured = f"{ratio:.2f}x ({mock['requests_per_s']:.0f} vs {baseline['requests_per_s']:.0f})"
    return TargetResult(name, goal, measured, ratio >= minimum)


def spend_p99_target(cells: Cells) -> TargetResult:
    name = "spend read p99 at c=16"
    goal = "< 10 ms"
    mock = find_cell(cells, "mock", SPEND_READ, REFERENCE_CONCURRENCY)
    if mock is None or not mock["valid"]:
        return TargetResult(name, goal, "not measured or invalid run", None)
    return TargetResult(name, goal, f"{mock['p99_ms']:.2f} ms", mock["p99_ms"] < 10.0)


def startup_target(startup: dict[str, Any] | None) -> TargetResult:
    name = "kms-mock start-up (median)"
    goal = "< 1.5 s"
    if startup is None:
        return TargetResult(name, goal, "not measured", None)
    median = startup["median_s"]
    return TargetResult(name, goal, f"{median:.3f} s", median < 1.5)


def flat_spend_target(flat: dict[str, Any] | None) -> TargetResult:
    name = "spend read flat in key count"
    goal = f"large/small req/s >= {FLAT_MIN_RATIO:g}"
    if flat is None or not _both_valid(flat["small"], flat["large"]):
        return TargetResult(name, goal, "not measured or invalid run", None)
    small, large = flat["small"], flat["large"]
    ratio = large["requests_per_s"] / small["requests_per_s"]
    measured = (
        f"{ratio:.2f} ({flat['large_keys']:,} keys {large['requests_per_s']:.0f} req/s, "
        f"{flat['small_keys']:,} keys {small['requests_per_s']:.0f} req/s)"
    )
    return TargetResult(name, goal, measured, ratio >= FLAT_MIN_RATIO)


def evaluate(results: dict[str, Any]) -> list[TargetResult]:
    """Judge every target from a results document as written to results.json."""
    cells: Cells = results["load"]
    return [
        throughput_ratio_target(cells, SPEND_READ, "prism", 2.0, "spend read vs Prism"),
        throughput_ratio_target(cells, SPEND_READ, "ceiling", 0.8, "spend read vs bare FastAPI"),
        throughput_ratio_target(cells, CREATE_KEY, "prism", 1.5, "create key vs Prism"),
        spend_p99_target(cells),
        startup_target(results.get("startup")),
        flat_spend_target(results.get("spend_flat")),
    ]


def _both_valid(first: dict[str, Any] | None, second: dict[str, Any] | None) -> bool:
    return first is not None and second is not None and first["valid"] and second["valid"]
