"""Render a benchmark results document as Markdown tables."""

from __future__ import annotations

from typing import Any

MET_LABELS = {True: "met", False: "MISSED", None: "not evaluated"}


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def load_row(cell: dict[str, Any]) -> list[str]:
    errors = cell["non_2xx"] + cell["socket_errors"]
    return [
        cell["server"], f"`{cell['request']}`", str(cell["concurrency"]),
        f"{cell['requests_per_s']:,.0f}", f"{cell['p50_ms']:.2f}", f"{cell['p99_ms']:.2f}",
        runs_text(cell), str(errors), "yes" if cell["valid"] else "NO",
    ]


def runs_text(cell: dict[str, Any]) -> str:
    """List the req/s of every run, so the spread between rounds is visible."""
    runs = cell.get("runs_requests_per_s", [cell["requests_per_s"]])
    return " / ".join(f"{rate:,.0f}" for rate in runs)


def load_table(cells: list[dict[str, Any]]) -> str:
    header = ["server", "request", "conc.", "req/s", "p50 ms", "p99 ms", "req/s of each round", "errors"]
    header.append("valid")
    return markdown_table(header, [load_row(cell) for cell in cells])


def targets_table(targets: list[dict[str, Any]]) -> str:
    rows = [[t["name"], t["goal"], t["measured"], MET_LABELS[t["met"]]] for t in targets]
    return markdown_table(["target", "goal", "measured", "result"], rows)


def startup_line(startup: dict[str, Any] | None) -> str:
    if startup is None:
        return "Start-up: not measured."
    runs = ", ".join(f"{seconds:.3f}" for seconds in startup["runs_s"])
    median = startup["median_s"]
    return f"Start-up to first 200 on `{startup['path']}`: median {median:.3f} s (runs: {runs} s)."


def flat_table(flat: dict[str, Any] | None) -> str:
    if flat is None:
        return "Not measured."
    rows = []
    for size in ("small", "large"):
        cell = flat[size]
        rows.append([
            f"{flat[size + '_keys']:,}", f"{cell['requests_per_s']:,.0f}", f"{cell['p50_ms']:.2f}",
            f"{cell['p99_ms']:.2f}", runs_text(cell), "yes" if cell["valid"] else "NO",
        ])
    header = ["keys in org", "req/s", "p50 ms", "p99 ms", "req/s of each round", "valid"]
    return markdown_table(header, rows)


def render(results: dict[str, Any]) -> str:
    """Render all tables of `results`, errors first, so a broken run is seen at once."""
    parts = []
    if results["errors"]:
        parts.append("Errors:\n" + "\n".join(f"- {error}" for error in results["errors"]))
    parts += [
        "Targets:\n\n" + targets_table(results["targets"]),
        "Load (server on CPU 0, wrk on CPU 1; the median of the rounds):\n\n" + load_table(results["load"]),
        startup_line(results.get("startup")),
        "Spend read by key count (mock, c=16):\n\n" + flat_table(results.get("spend_flat")),
    ]
    return "\n\n".join(parts) + "\n"
