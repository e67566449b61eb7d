"""The report folder of a run: checked before the run, cleared of stale files, and filled on failure.

A folder that still contains the previous run's results.json would show CI a
passing verdict after a run that could not start. So every file a run writes is
removed first, and a run that stops on an error writes a results.json and a
junit.xml that report the error.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from contract_tests.errors import ExitCode, UsageError
from contract_tests.messages import message
from contract_tests.results import SCHEMA_VERSION, TOOL
from contract_tests.target import classify_url

# Glob patterns of the files a run writes into its report folder.
RUN_OUTPUTS = ("results.json", "junit.xml", "report.*", "mock.log")
PROBE_NAME = ".kms-contract-write-probe"


def prepare_report_dir(report_dir: Path, lang: str) -> None:
    """Create `report_dir`, check that it is writable and remove the previous run's outputs.

    Raises UsageError naming the folder before any request, so a bad folder costs no run time.
    """
    if report_dir.exists() and not report_dir.is_dir():
        raise UsageError(message("error.report_dir.file", lang, path=str(report_dir)))
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        probe = report_dir / PROBE_NAME
        probe.write_text("", "utf-8")
        probe.unlink()
    except OSError as error:
        detail = error.strerror or str(error)
        raise UsageError(
            message("error.report_dir.unwritable", lang, path=str(report_dir), detail=detail)
        ) from error
    remove_stale_outputs(report_dir)


def remove_stale_outputs(report_dir: Path) -> list[Path]:
    """Delete the files an earlier run wrote into `report_dir` and return their paths."""
    removed = []
    for pattern in RUN_OUTPUTS:
        for path in report_dir.glob(pattern):
            if path.is_file():
                path.unlink()
                removed.append(path)
    return removed


def could_not_run_results(
    url: str | None, view: str, seed: int | None, error: BaseException
) -> dict[str, Any]:
    """Return a results.json document for a run that stopped on `error` before a verdict."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    kind = "in-process" if url is None else _kind(url)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": dict(TOOL),
        "run": {
            "started_at": now,
            "finished_at": now,
            "seed": seed,
            "view": view,
            "target": {"url": url or "in-process mock", "kind": kind},
        },
        "summary": {
            "states": {"conforms": 0, "violates": 0, "missing": 0, "not_tested": 0},
            "verdict": "could_not_run",
            "exit_code": int(ExitCode.COULD_NOT_RUN),
            "reason": str(error) or repr(error),
        },
        "operations": [],
        "scenarios": [],
        "leftovers": [],
        "spec_comparison": None,
    }


def _kind(url: str) -> str:
    try:
        return classify_url(url).value
    except ValueError:
        return "remote"
