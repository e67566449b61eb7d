"""Run one wrk cell (server, request, concurrency) and read its numbers.

wrk runs with one thread on its own core. The Lua script in wrk_report.lua
counts every non-2xx response and prints percentiles as one JSON line, which
is parsed here. A cell with any non-2xx response or socket error is kept in
the results but marked invalid, so a broken run never passes for a fast one.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
RESULT_PREFIX = "WRK_JSON "
# Seconds wrk may take beyond the measured duration before the run counts as hung.
WRK_GRACE_S = 30
REQUEST_TIMEOUT = "5s"


@dataclass(frozen=True)
class Placement:
    """CPU placement of a process: the CPU it is pinned to and its nice value."""

    cpu: int
    # Below 0 the scheduler favours the process over other work on a shared machine.
    niceness: int = 0

    def command(self, argv: list[str]) -> list[str]:
        prefix = ["taskset", "-c", str(self.cpu)]
        if self.niceness:
            prefix = ["nice", "-n", str(self.niceness), *prefix]
        return [*prefix, *argv]


@dataclass(frozen=True)
class RequestSpec:
    """One benchmarked request: a label, method, path and optional JSON body."""

    label: str
    method: str
    path: str
    body: str | None = None


@dataclass(frozen=True)
class CellResult:
    """Throughput and latency of one request at one concurrency on one server."""

    server: str
    request: str
    concurrency: int
    requests: int
    duration_s: float
    requests_per_s: float
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    # Share of CPU time in use, by other processes, just before this server started.
    background_busy: float | None = None

    @property
    def valid(self) -> bool:
        return self.requests > 0 and self.non_2xx == 0 and self.socket_errors == 0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "valid": self.valid}


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is not installed: run `apt-get install -y wrk` (Debian package wrk)")
    return path


def wrk_argv(
    url: str, request: RequestSpec, concurrency: int, duration_s: int, placement: Placement
) -> list[str]:
    argv = [
        require_wrk(), "-t1", f"-c{concurrency}", f"-d{duration_s}s", f"--timeout={REQUEST_TIMEOUT}",
        "-s", str(WRK_SCRIPT), url + request.path,
    ]
    if request.body is not None:
        argv += ["--", request.method, request.body]
    return placement.command(argv)


def run_cell(
    server: str, base_url: str, request: RequestSpec, concurrency: int, duration_s: int, placement: Placement
) -> CellResult:
    """Load `base_url` with `request` at `concurrency` connections for `duration_s` seconds."""
    argv = wrk_argv(base_url, request, concurrency, duration_s, placement)
    completed = subprocess.run(
        argv, capture_output=True, text=True, timeout=duration_s + WRK_GRACE_S, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed with code {completed.returncode}: {completed.stderr.strip()}")
    report = parse_report(completed.stdout)
    return to_cell(server, request.label, concurrency, report)


def parse_report(stdout: str) -> dict[str, Any]:
    for line in stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            report: dict[str, Any] = json.loads(line[len(RESULT_PREFIX):])
            return report
    raise RuntimeError(f"wrk printed no {RESULT_PREFIX.strip()} line; its output was:\n{stdout}")


def to_cell(server: str, label: str, concurrency: int, report: dict[str, Any]) -> CellResult:
    duration_s = report["duration_us"] / 1e6
    latency = report["latency_us"]
    return CellResult(
        server=server,
        request=label,
        concurrency=concurrency,
        requests=report["requests"],
        duration_s=round(duration_s, 3),
        requests_per_s=round(report["requests"] / duration_s, 1),
        non_2xx=report["non_2xx"],
        socket_errors=sum(report["socket_errors"].values()),
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
    )


def combine_runs(runs: list[CellResult]) -> dict[str, Any]:
    """Summarise repeated runs of one cell by its fastest run, listing every run beside it.

    Other work on the machine can only take CPU time from a server, never give
    it more, so the fastest run is the closest to what the server does on a
    core of its own. Its numbers are reported whole, not a best per column, so
    its latencies belong to its throughput. The median of the runs is kept as
    well. The combined cell is valid only when every run was, because one run
    with errors makes the cell suspect.
    """
    fastest = max(runs, key=lambda run: run.requests_per_s)
    return {
        **fastest.to_json(),
        "median_requests_per_s": statistics.median(run.requests_per_s for run in runs),
        "valid": all(run.valid for run in runs),
        "runs_requests_per_s": [run.requests_per_s for run in runs],
        "runs_errors": [run.non_2xx + run.socket_errors for run in runs],
        "runs_background_busy": [run.background_busy for run in runs],
    }
