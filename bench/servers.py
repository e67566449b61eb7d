"""Start and stop the servers under test, each pinned to one CPU core.

Every server listens on 127.0.0.1 only and is started as a child process
under `taskset`, so the server and the load generator never share a core.
Each server has per-request logging turned off, because the benchmark
measures request handling and not how fast a log line reaches a pipe.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from load import Placement

LOOPBACK = "127.0.0.1"
BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
SPEC_FILE = REPO_DIR / "spec" / "kms.openapi.yaml"
PRISM_BIN = BENCH_DIR / "node_modules" / ".bin" / "prism"
READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0

logger = logging.getLogger("bench")


@dataclass(frozen=True)
class ServerCommand:
    """How to start one server: its name, its argv for a port, its readiness path."""

    name: str
    argv_template: tuple[str, ...]
    ready_path: str

    def argv(self, port: int) -> list[str]:
        return [part.replace("{port}", str(port)) for part in self.argv_template]


@dataclass(frozen=True)
class RunningServer:
    name: str
    base_url: str
    process: subprocess.Popen[bytes]


def mock_command(extra_args: tuple[str, ...] = ()) -> ServerCommand:
    """kms-mock from the same environment as this interpreter, extended profile."""
    argv = (
        *kms_mock_entry(),
        "--host", LOOPBACK, "--port", "{port}", "--profile", "extended", "--log-level", "warning",
        *extra_args,
    )
    return ServerCommand("mock", argv, "/health")


def kms_mock_entry() -> tuple[str, ...]:
    """Return the installed `kms-mock` script beside this interpreter, else `python -m mock_server`."""
    script = Path(sys.executable).parent / "kms-mock"
    if script.exists():
        return (str(script),)
    return (sys.executable, "-m", "mock_server")


def prism_command() -> ServerCommand:
    argv = (str(PRISM_BIN), "mock", str(SPEC_FILE), "-h", LOOPBACK, "-p", "{port}", "-v", "silent")
    return ServerCommand("prism", argv, "/health")


def ceiling_command() -> ServerCommand:
    argv = (
        sys.executable, "-m", "uvicorn", "--app-dir", str(BENCH_DIR), "ceiling_app:app",
        "--host", LOOPBACK, "--port", "{port}", "--loop", "uvloop", "--http", "httptools",
        "--no-access-log", "--log-level", "warning",
    )
    return ServerCommand("ceiling", argv, "/spend/org/bench-org")


def free_port() -> int:
    """Ask the kernel for a free loopback port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def started(command: ServerCommand, placement: Placement, log_dir: Path) -> Iterator[RunningServer]:
    """Run `command` at `placement` until the block ends; its output goes to log_dir/NAME.log."""
    port = free_port()
    log_path = log_dir / f"{command.name}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            placement.command(command.argv(port)), cwd=REPO_DIR, stdout=log_file, stderr=subprocess.STDOUT
        )
        server = RunningServer(command.name, f"http://{LOOPBACK}:{port}", process)
        try:
            wait_until_ready(server, command.ready_path, log_path)
            yield server
        finally:
            stop(process)


def wait_until_ready(server: RunningServer, path: str, log_path: Path) -> float:
    """Poll until `path` returns any HTTP status; return the seconds it took."""
    started_at = time.monotonic()
    deadline = started_at + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with code {server.process.returncode} before it was ready; "
                f"see {log_path}"
            )
        try:
            httpx.get(server.base_url + path, timeout=1.0)
            return time.monotonic() - started_at
        except httpx.TransportError:
            time.sleep(0.02)
    raise TimeoutError(f"{server.name} did not respond on {path} within {READY_TIMEOUT_S} s; see {log_path}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a server and wait for it; kill it if it ignores the signal."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        logger.warning("server pid %d ignored SIGTERM for %s s; killing it", process.pid, STOP_TIMEOUT_S)
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)
