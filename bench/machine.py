"""Describe the machine and software versions that produced a benchmark run."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from servers import PRISM_BIN, REPO_DIR

PYTHON_PACKAGES = ("fastapi", "starlette", "uvicorn", "uvloop", "httptools", "pydantic", "kms-contract")


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            kib = int(line.split()[1])
            return round(kib / 1024 / 1024, 1)
    return 0.0


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def tool_version(argv: list[str]) -> str:
    """Run a short command such as `prism --version`; return its first output line, or why there is none."""
    try:
        completed = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (FileNotFoundError, subprocess.TimeoutExpired) as error:
        return f"unavailable ({error.__class__.__name__})"
    lines = (completed.stdout + completed.stderr).strip().splitlines()
    return lines[0].strip() if lines else "unknown"


def describe_machine() -> dict[str, Any]:
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_gib": memory_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": {name: package_version(name) for name in PYTHON_PACKAGES},
        "prism": tool_version([str(PRISM_BIN), "--version"]),
        "wrk": tool_version(["wrk", "--version"]),
        "node": tool_version(["node", "--version"]),
        "commit": tool_version(["git", "-C", str(REPO_DIR), "rev-parse", "--short", "HEAD"]),
    }
