"""Write the results of one benchmark run into bench/README.md.

Usage: python bench/update_readme.py [RESULTS_JSON]   (default: bench/out/results.json)

The README keeps its results between marker comments, one block per language,
so a new run replaces the numbers without touching the prose around them.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from quiet import BUSY_THRESHOLD
from tables import (
    MET_LABELS,
    cost_table,
    flat_table,
    load_table,
    markdown_table,
    max_background_busy,
    startup_line,
)

BENCH_DIR = Path(__file__).resolve().parent
README = BENCH_DIR / "README.md"
RESULT_LABELS_ZH = {True: "达到", False: "未达到", None: "未评估"}
# Chinese name and goal of each target, keyed by the English name in targets.py.
TARGETS_ZH = {
    "spend read vs Prism": ("消费查询对比 Prism", "并发 16 时吞吐量 ≥ Prism 的 2 倍"),
    "spend read vs bare FastAPI": ("消费查询对比上限", "并发 16 时吞吐量 ≥ 最简 FastAPI 的 80%"),
    "create key vs Prism": ("创建密钥对比 Prism", "并发 16 时吞吐量 ≥ Prism 的 1.5 倍"),
    "spend read p99 at c=16": ("消费查询延迟", "并发 16 时 p99 < 10 毫秒"),
    "kms-mock start-up (median)": ("启动时间", "中位数 < 1.5 秒"),
    "spend read flat in key count": ("消费查询与密钥数量无关", "10 万个密钥时吞吐量 ≥ 100 个时的 85%"),
}


def public_command(command: str) -> str:
    """Drop `--out DIR` from a recorded command, since DIR is a path on the machine that ran it."""
    return re.sub(r" --out(=| )\S+", "", command)


def machine_rows(results: dict[str, Any]) -> list[list[str]]:
    machine = results["machine"]
    packages = machine["packages"]
    versions = ", ".join(f"{name} {packages[name]}" for name in ("fastapi", "starlette", "uvicorn", "uvloop"))
    return [
        ["date (UTC)", machine["date"]],
        ["command", f"`{public_command(results['command'])}`"],
        ["CPU", f"{machine['nproc']} x {machine['cpu_model']}"],
        ["memory", f"{machine['memory_gib']} GiB"],
        ["Python", f"{machine['python']}; {versions}, httptools {packages['httptools']}"],
        ["Prism", f"{machine['prism']} on Node {machine['node']}"],
        ["wrk", machine["wrk"].split(" [")[0]],
        ["repository commit", machine.get("commit", "not recorded")],
    ]


def busy_note(results: dict[str, Any]) -> str:
    busiest = max_background_busy(results)
    if busiest is None or busiest <= BUSY_THRESHOLD:
        return "Every round started on a quiet machine (other CPU use at most 15 %)."
    return (
        f"Other work used up to {busiest:.0%} of the CPU before some rounds, so the rounds differ a lot; "
        "each cell shows its fastest round, and every round is listed with its figure."
    )


def busy_note_zh(results: dict[str, Any]) -> str:
    busiest = max_background_busy(results)
    if busiest is None or busiest <= BUSY_THRESHOLD:
        return "每一轮开始时机器都处于空闲状态（其他负载的 CPU 占用不超过 15%）。"
    return (
        f"部分轮次开始前，其他负载占用了多达 {busiest:.0%} 的 CPU，各轮数字差异很大；"
        "每格取最快的一轮，英文表格中列出了每一轮的数字及其开始前的 CPU 占用。"
    )


def english_block(results: dict[str, Any]) -> str:
    targets = [[t["name"], t["goal"], t["measured"], MET_LABELS[t["met"]]] for t in results["targets"]]
    parts = [
        "### Results",
        markdown_table(["", "run"], machine_rows(results)),
        busy_note(results),
        "#### Targets",
        markdown_table(["target", "goal", "measured", "result"], targets),
        "#### Load (fastest of the rounds; other CPU use before each round in brackets)",
        load_table(results["load"]),
        "#### Start-up",
        startup_line(results.get("startup")),
        "#### Spend read by key count (mock, concurrency 16)",
        flat_table(results.get("spend_flat")),
        "#### In-process CPU time per request (ASGI call, no socket)",
        cost_table(results.get("asgi_cost")),
    ]
    return "\n\n".join(parts)


def chinese_block(results: dict[str, Any]) -> str:
    targets = [[*TARGETS_ZH.get(t["name"], (t["name"], t["goal"])), t["measured"], RESULT_LABELS_ZH[t["met"]]]
               for t in results["targets"]]
    parts = [
        "### 结果",
        f"本次运行：{results['machine']['date']}，命令 `{public_command(results['command'])}`。"
        "机器、版本和逐项数据见上文英文部分的表格，两部分数据相同。",
        busy_note_zh(results),
        markdown_table(["目标", "要求", "实测", "结论"], targets),
    ]
    return "\n\n".join(parts)


def replace_block(text: str, name: str, block: str) -> str:
    start, end = f"<!-- results:{name}:start -->", f"<!-- results:{name}:end -->"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{README} has no {start} ... {end} markers: add them where the results belong")
    return pattern.sub(lambda _match: f"{start}\n{block}\n{end}", text)


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else BENCH_DIR / "out" / "results.json"
    results = json.loads(source.read_text())
    text = README.read_text()
    text = replace_block(text, "en", english_block(results))
    text = replace_block(text, "zh", chinese_block(results))
    README.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
