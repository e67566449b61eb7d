"""Terminal output of a run: a progress line while it runs, and a summary table at the end."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from contract_tests.messages import message
from contract_tests.runner import Progress as ProgressCallback

STATE_STYLES = {"conforms": "green", "violates": "bold red", "missing": "yellow", "not_tested": "dim"}


@contextmanager
def progress_line(console: Console, lang: str) -> Iterator[ProgressCallback]:
    """Yield a progress callback that redraws one line on `console` (stderr in the CLI)."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(message("progress.testing", lang, stage="..."), total=None)

        def update(stage: str, done: int, total: int) -> None:
            description = message("progress.testing", lang, stage=stage)
            progress.update(task, description=description, completed=done, total=total)

        yield update


def print_summary(console: Console, results: Mapping[str, Any], report_dir: Path, lang: str) -> None:
    """Print what was tested, what held, and where the report is."""
    run = results["run"]
    table = Table(title=message("table.title", lang, target=run["target"]["url"], view=run["view"]))
    for key in ("table.operation", "table.availability", "table.state", "table.tests", "table.note"):
        table.add_column(message(key, lang))
    for operation in results["operations"]:
        state = operation["state"]
        table.add_row(
            operation["operationId"],
            operation["availability"],
            f"[{STATE_STYLES[state]}]{message('state.' + state, lang)}[/]",
            str(operation["tests_run"]),
            _note(operation, lang),
        )
    console.print(table)
    _print_footer(console, results, report_dir, lang)


def _note(operation: Mapping[str, Any], lang: str) -> str:
    """Say why the operation has its state: the failed checks, or the reason in the chosen language."""
    if operation["failures"]:
        return ", ".join(sorted({failure["check"] for failure in operation["failures"]}))
    if lang == "en":
        return str(operation["reason"])
    return message("note." + operation["state"], lang)


def _print_footer(console: Console, results: Mapping[str, Any], report_dir: Path, lang: str) -> None:
    scenario_states = Counter(scenario["state"] for scenario in results["scenarios"])
    console.print(
        message(
            "summary.scenarios",
            lang,
            passed=scenario_states["passed"],
            failed=scenario_states["failed"],
            skipped=scenario_states["skipped"],
        )
    )
    if results["leftovers"]:
        console.print(message("summary.leftovers", lang, count=len(results["leftovers"])))
    summary = results["summary"]
    separator = "" if lang == "zh-CN" else " "
    verdict = message("verdict." + summary["verdict"], lang)
    console.print(f"[bold]{verdict}[/]{separator}" + message("summary.exit", lang, code=summary["exit_code"]))
    console.print(message("summary.written", lang, path=report_dir))
    mock_log = report_dir / "mock.log"
    if results["run"]["target"]["kind"] == "in-process" and mock_log.exists():
        console.print(message("summary.mock_log", lang, path=mock_log))
