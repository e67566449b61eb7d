"""Measure how long kms-mock takes from process start to its first 200 on /health."""

from __future__ import annotations

import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from load import Placement
from servers import REPO_DIR, ServerCommand, free_port, stop

POLL_INTERVAL_S = 0.005
STARTUP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class StartupResult:
    """Start-up times of several runs, in seconds."""

    path: str
    runs_s: tuple[float, ...]

    @property
    def median_s(self) -> float:
        return statistics.median(self.runs_s)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "runs_s": list(self.runs_s), "median_s": round(self.median_s, 3)}


def time_to_first_ok(command: ServerCommand, placement: Placement, log_path: Path) -> float:
    """Start `command` once and return the seconds until its ready path returns 200."""
    port = free_port()
    url = f"http://127.0.0.1:{port}{command.ready_path}"
    with log_path.open("wb") as log_file:
        started_at = time.monotonic()
        process = subprocess.Popen(
            placement.command(command.argv(port)), cwd=REPO_DIR, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            return poll_for_ok(url, process, started_at)
        finally:
            stop(process)


def poll_for_ok(url: str, process: subprocess.Popen[bytes], started_at: float) -> float:
    deadline = started_at + STARTUP_TIMEOUT_S
    with httpx.Client(timeout=1.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with code {process.returncode} before responding on {url}")
            try:
                if client.get(url).status_code == 200:
                    return time.monotonic() - started_at
            except httpx.TransportError:
                pass
            time.sleep(POLL_INTERVAL_S)
    raise TimeoutError(f"no 200 from {url} within {STARTUP_TIMEOUT_S} s")


def measure_startup(command: ServerCommand, runs: int, placement: Placement, log_dir: Path) -> StartupResult:
    logs = [log_dir / f"startup-{index}.log" for index in range(runs)]
    times = tuple(time_to_first_ok(command, placement, log_path) for log_path in logs)
    return StartupResult(command.ready_path, times)
