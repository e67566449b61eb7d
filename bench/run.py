"""Benchmark the mock KMS against Stoplight Prism and a bare FastAPI ceiling.

Usage: python bench/run.py [--quick] [--servers mock,prism,ceiling] [--out DIR]

Every server runs on 127.0.0.1 pinned to CPU 0 and wrk runs pinned to CPU 1.
The run writes DIR/results.json and DIR/results.md and prints the tables. It
exits 1 when a cell had errors or a server could not be measured, because such
a run is not a valid result. Missed speed targets alone leave the exit code 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx
import seed
import servers
from asgi_cost import measure_costs
from load import CellResult, Placement, RequestSpec, combine_runs, run_cell
from machine import describe_machine
from quiet import wait_for_quiet
from startup import measure_startup
from tables import render
from targets import CREATE_KEY, REFERENCE_CONCURRENCY, SPEND_READ, evaluate

CONCURRENCIES = (1, 16, 64)
SMALL_KEY_COUNT = 100
CREATE_KEY_BODY = json.dumps(
    {"c_organization_id": seed.BENCH_ORGANIZATION, "key_type": "ORG", "quota": "10"}, separators=(",", ":")
)
REQUESTS = (
    RequestSpec(SPEND_READ, "GET", f"/spend/org/{seed.BENCH_ORGANIZATION}"),
    RequestSpec(CREATE_KEY, "POST", "/keys/", CREATE_KEY_BODY),
)
COMMANDS = {
    "mock": servers.mock_command,
    "prism": servers.prism_command,
    "ceiling": servers.ceiling_command,
}

logger = logging.getLogger("bench")
T = TypeVar("T")


@dataclass(frozen=True)
class RunPlan:
    """Durations, sizes and CPU placement of one run; --quick shrinks the durations and sizes."""

    duration_s: int
    warmup_s: int
    # Each round measures every server once, so slow drifts in machine load
    # (other processes on a shared machine) hit all servers alike.
    rounds: int
    # Maximum wait, per server and round, for other work on the machine to calm down.
    quiet_wait_s: float
    startup_runs: int
    large_key_count: int
    # Requests per app and request for the in-process CPU cost measurement.
    cost_requests: int
    server: Placement = Placement(cpu=0)
    load: Placement = Placement(cpu=1)


FULL = RunPlan(
    duration_s=4, warmup_s=2, rounds=5, quiet_wait_s=20, startup_runs=5, large_key_count=100_000,
    cost_requests=20_000,
)
QUICK = RunPlan(
    duration_s=1, warmup_s=1, rounds=1, quiet_wait_s=0, startup_runs=2, large_key_count=2_000,
    cost_requests=1_000,
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 s cells and small seeds, for a smoke test")
    parser.add_argument(
        "--servers", default="mock,prism,ceiling",
        help="comma-separated servers to measure, from: mock, prism, ceiling (default: all three)",
    )
    parser.add_argument(
        "--out", type=Path, default=servers.BENCH_DIR / "out",
        help="folder for results.json, results.md and server logs (default: bench/out)",
    )
    parser.add_argument(
        "--nice", type=int, default=0, metavar="N",
        help="nice value for the servers and wrk, e.g. -10 on a machine shared with other work (default: 0)",
    )
    options = parser.parse_args(argv)
    options.server_names = [name.strip() for name in options.servers.split(",") if name.strip()]
    unknown = sorted(set(options.server_names) - set(COMMANDS))
    if unknown:
        parser.error(f"unknown server(s) {', '.join(unknown)}: use mock, prism or ceiling")
    return options


def check_request(base_url: str, request: RequestSpec) -> None:
    """Send `request` once and raise unless it returns 2xx, so a broken setup fails fast."""
    content = request.body.encode() if request.body is not None else None
    headers = {"Content-Type": "application/json"} if content is not None else {}
    response = httpx.request(request.method, base_url + request.path, content=content, headers=headers)
    if not 200 <= response.status_code < 300:
        raise RuntimeError(
            f"{request.label} returned {response.status_code} before the run: {response.text[:300]}"
        )


def measure_request(server: servers.RunningServer, request: RequestSpec, plan: RunPlan) -> list[CellResult]:
    check_request(server.base_url, request)
    # Warm-up at the reference concurrency; its numbers are thrown away.
    run_cell(server.name, server.base_url, request, REFERENCE_CONCURRENCY, plan.warmup_s, plan.load)
    return [
        run_cell(server.name, server.base_url, request, concurrency, plan.duration_s, plan.load)
        for concurrency in CONCURRENCIES
    ]


def measure_server(name: str, plan: RunPlan, out_dir: Path) -> list[CellResult]:
    busy = wait_for_quiet(plan.quiet_wait_s)
    logger.info("measuring %s (other CPU use before it: %.0f%%)", name, busy * 100)
    cells: list[CellResult] = []
    with servers.started(COMMANDS[name](), plan.server, out_dir) as server:
        if name == "mock":
            seed.seed_organization(server.base_url, seed.BENCH_ORGANIZATION, SMALL_KEY_COUNT)
        for request in REQUESTS:
            cells += measure_request(server, request, plan)
    return [replace(cell, background_busy=round(busy, 3)) for cell in cells]


def measure_load(
    names: list[str], plan: RunPlan, out_dir: Path, results: dict[str, Any]
) -> list[dict[str, Any]]:
    """Measure every server in `plan.rounds` interleaved rounds; keep each cell's fastest run."""
    runs: dict[tuple[str, str, int], list[CellResult]] = defaultdict(list)
    for round_number in range(1, plan.rounds + 1):
        for name in names:
            stage = f"load on {name} (round {round_number})"
            for cell in guarded(results, stage, partial(measure_server, name, plan, out_dir)) or []:
                runs[(cell.server, cell.request, cell.concurrency)].append(cell)
    return [combine_runs(cell_runs) for cell_runs in runs.values()]


def measure_flat_spend(plan: RunPlan, out_dir: Path) -> dict[str, Any]:
    """Read spend of an organization with 100 keys and of one with many keys, same mock."""
    sizes = {"small": SMALL_KEY_COUNT, "large": plan.large_key_count}
    runs: dict[str, list[CellResult]] = {size: [] for size in sizes}
    with servers.started(servers.mock_command(), plan.server, out_dir) as server:
        for size, count in sizes.items():
            seed.seed_organization(server.base_url, f"bench-{size}", count)
        for _ in range(plan.rounds):
            for size in sizes:
                runs[size].append(measure_spend_of(server, f"bench-{size}", plan))
    flat: dict[str, Any] = {size: combine_runs(size_runs) for size, size_runs in runs.items()}
    flat.update({f"{size}_keys": count for size, count in sizes.items()})
    return flat


def measure_spend_of(server: servers.RunningServer, organization: str, plan: RunPlan) -> CellResult:
    request = RequestSpec(SPEND_READ, "GET", f"/spend/org/{organization}")
    check_request(server.base_url, request)
    # The server is idle here, so the sample shows other processes only.
    busy = wait_for_quiet(plan.quiet_wait_s)
    run_cell(server.name, server.base_url, request, REFERENCE_CONCURRENCY, plan.warmup_s, plan.load)
    cell = run_cell(server.name, server.base_url, request, REFERENCE_CONCURRENCY, plan.duration_s, plan.load)
    return replace(cell, background_busy=round(busy, 3))


def measure_startup_of_mock(plan: RunPlan, out_dir: Path) -> dict[str, Any]:
    wait_for_quiet(plan.quiet_wait_s)
    return measure_startup(servers.mock_command(), plan.startup_runs, plan.server, out_dir).to_json()


def run_all(options: argparse.Namespace, plan: RunPlan) -> dict[str, Any]:
    results: dict[str, Any] = {
        "schema_version": 1,
        "command": " ".join(["python", "bench/run.py", *sys.argv[1:]]),
        "plan": asdict(plan),
        "machine": describe_machine(),
        "load_average_at_start": os.getloadavg(),
        "load": [], "startup": None, "spend_flat": None, "asgi_cost": None, "errors": [],
    }
    results["load"] = measure_load(options.server_names, plan, options.out, results)
    if "mock" in options.server_names:
        startup = partial(measure_startup_of_mock, plan, options.out)
        results["startup"] = guarded(results, "start-up", startup)
        flat = partial(measure_flat_spend, plan, options.out)
        results["spend_flat"] = guarded(results, "flat spend", flat)
        costs = guarded(results, "in-process cost", partial(measure_costs, REQUESTS, plan.cost_requests))
        results["asgi_cost"] = [cost.to_json() for cost in costs] if costs is not None else None
    results["load_average_at_end"] = os.getloadavg()
    results["targets"] = [target.to_json() for target in evaluate(results)]
    results["valid"] = not results["errors"] and all(cell["valid"] for cell in results["load"])
    return results


def guarded(results: dict[str, Any], stage: str, action: Callable[[], T]) -> T | None:
    """Run one stage; on failure record it in results["errors"] and return None."""
    try:
        return action()
    except (RuntimeError, TimeoutError, OSError, httpx.HTTPError) as error:
        logger.error("%s failed: %s", stage, error)
        results["errors"].append(f"{stage} failed: {error}")
        return None


def plan_for(options: argparse.Namespace) -> RunPlan:
    plan = QUICK if options.quick else FULL
    server = replace(plan.server, niceness=options.nice)
    load = replace(plan.load, niceness=options.nice)
    return replace(plan, server=server, load=load)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # httpx logs every seeding request at INFO, which would bury the stage lines.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    options = parse_args(argv)
    options.out.mkdir(parents=True, exist_ok=True)

    results = run_all(options, plan_for(options))

    (options.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    tables = render(results)
    (options.out / "results.md").write_text(tables)
    print(tables)
    return 0 if results["valid"] else 1


if __name__ == "__main__":
    sys.exit(main())
