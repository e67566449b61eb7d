"""Run the mock on a real loopback socket: in a thread, or as a `kms-mock` process.

Loaded as a pytest plugin from conftest.py. Every wait is bounded, and every
server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

LOOPBACK = "127.0.0.1"
START_TIMEOUT_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 10.0


def free_port() -> int:
    """Ask the OS for a free loopback port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def wait_until_serving(base_url: str, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll GET /openapi.json until it responds, for at most START_TIMEOUT_SECONDS."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"kms-mock exited with status {process.returncode} before serving")
        try:
            if httpx.get(f"{base_url}/openapi.json", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"no answer from {base_url} within {START_TIMEOUT_SECONDS} s")


@contextmanager
def serve_in_thread(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn in a daemon thread; yield its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host=LOOPBACK, port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base_url = f"http://{LOOPBACK}:{port}"
    try:
        wait_until_serving(base_url)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT_SECONDS)


def kms_mock_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mock_server", *args]


@dataclass
class MockProcess:
    """A running `kms-mock`; its output goes to a file, so a chatty server never blocks on a full pipe."""

    process: subprocess.Popen[bytes]
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def run_kms_mock(args: Sequence[str], port: int | None = None) -> Iterator[tuple[str, MockProcess]]:
    """Start `kms-mock` as a process on a free loopback port; stop it with SIGTERM afterwards."""
    port = port or free_port()
    command = kms_mock_command("--host", LOOPBACK, "--port", str(port), *args)
    env = {name: value for name, value in os.environ.items() if not name.startswith("KMS_MOCK_")}
    with tempfile.TemporaryDirectory(prefix="kms-mock-") as workdir:
        log_path = Path(workdir) / "kms-mock.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        mock = MockProcess(process, log_path)
        base_url = f"http://{LOOPBACK}:{port}"
        try:
            wait_until_serving(base_url, process)
            yield base_url, mock
        finally:
            end_process(process)


def end_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if the process is still there after STOP_TIMEOUT_SECONDS."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stop_kms_mock(mock: MockProcess) -> tuple[int, str]:
    """Send SIGTERM and return (exit status, output) once the process has ended."""
    mock.process.terminate()
    status = mock.process.wait(timeout=STOP_TIMEOUT_SECONDS)
    return status, mock.output()
