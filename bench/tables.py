"""Render a benchmark results document as Markdown tables."""

from __future__ import annotations

from typing import Any

from quiet import BUSY_THRESHOLD

MET_LABELS = {True: "met", False: "MISSED", None: "not evaluated"}
ROUNDS_HEADER = "req/s of each round (other CPU use)"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def load_row(cell: dict[str, Any]) -> list[str]:
    errors = cell["non_2xx"] + cell["socket_errors"]
    return [
        cell["server"], f"`{cell['request']}`", str(cell["concurrency"]),
        f"{cell['requests_per_s']:,.0f}", f"{cell.get('median_requests_per_s', cell['requests_per_s']):,.0f}",
        f"{cell['p50_ms']:.2f}", f"{cell['p99_ms']:.2f}",
        runs_text(cell), str(errors), "yes" if cell["valid"] else "NO",
    ]


def runs_text(cell: dict[str, Any]) -> str:
    """List the req/s of every run with the other CPU use before it, so noisy rounds show."""
    rates = cell.get("runs_requests_per_s", [cell["requests_per_s"]])
    busy = cell.get("runs_background_busy", [cell.get("background_busy")])
    return " / ".join(f"{rate:,.0f}{busy_text(share)}" for rate, share in zip(rates, busy, strict=True))


def busy_text(share: float | None) -> str:
    if share is None:
        return ""
    return f" ({share:.0%})"


def load_table(cells: list[dict[str, Any]]) -> str:
    header = ["server", "request", "conc.", "best req/s", "median req/s", "p50 ms", "p99 ms", ROUNDS_HEADER]
    header += ["errors", "valid"]
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
            f"{flat[size + '_keys']:,}", f"{cell['requests_per_s']:,.0f}",
            f"{cell.get('median_requests_per_s', cell['requests_per_s']):,.0f}", f"{cell['p50_ms']:.2f}",
            f"{cell['p99_ms']:.2f}", runs_text(cell), "yes" if cell["valid"] else "NO",
        ])
    header = ["keys in org", "best req/s", "median req/s", "p50 ms", "p99 ms", ROUNDS_HEADER, "valid"]
    return markdown_table(header, rows)


def cost_table(costs: list[dict[str, Any]] | None) -> str:
    if not costs:
        return "Not measured."
    rows = [[cost["app"], f"`{cost['request']}`", f"{cost['cpu_us_per_request']:.1f}"] for cost in costs]
    return markdown_table(["app", "request", "CPU µs per request"], rows)


def max_background_busy(results: dict[str, Any]) -> float | None:
    cells = list(results["load"])
    if results.get("spend_flat"):
        cells += [results["spend_flat"]["small"], results["spend_flat"]["large"]]
    shares = [share for cell in cells for share in cell.get("runs_background_busy", []) if share is not None]
    return max(shares, default=None)


def render(results: dict[str, Any]) -> str:
    """Render all tables of `results`, errors first, so a broken run is seen at once."""
    parts = []
    busiest = max_background_busy(results)
    if busiest is not None and busiest > BUSY_THRESHOLD:
        parts.append(
            f"Warning: at least one round started with {busiest:.0%} of the CPU busy with other work "
            f"(threshold {BUSY_THRESHOLD:.0%}); compare servers within a round, not across runs."
        )
    if results["errors"]:
        parts.append("Errors:\n" + "\n".join(f"- {error}" for error in results["errors"]))
    parts += [
        "Targets:\n\n" + targets_table(results["targets"]),
        "Load (server on CPU 0, wrk on CPU 1; the fastest of the rounds):\n\n" + load_table(results["load"]),
        startup_line(results.get("startup")),
        "Spend read by key count (mock, c=16):\n\n" + flat_table(results.get("spend_flat")),
        "In-process CPU time per request (ASGI call, no socket):\n\n" + cost_table(results.get("asgi_cost")),
    ]
    return "\n\n".join(parts) + "\n"
