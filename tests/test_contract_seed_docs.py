"""The docs describe what a seed reproduces: the same ids only against the in-process mock."""

from __future__ import annotations

from pathlib import Path

from contract_tests.runner import RunConfig, _run_prefix
from contract_tests.target import make_target

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _seed_row(name: str) -> str:
    rows = [line for line in (DOCS / name).read_text("utf-8").splitlines() if line.startswith("| `KMS_SEED`")]
    return rows[0]


def test_english_docs_mention_random_prefix() -> None:
    assert "prefix" in _seed_row("ci.md")
    assert "random on every run" in _seed_row("ci.md")


def test_chinese_docs_mention_random_prefix() -> None:
    assert "随机生成" in _seed_row("ci.zh-CN.md")


def test_url_prefix_differs_per_run() -> None:
    config = RunConfig(url="http://127.0.0.1:3090", seed=1)
    target = make_target(config.url, allow_writes=False)

    assert _run_prefix(config, target) != _run_prefix(config, target)


def test_in_process_prefix_follows_seed() -> None:
    config = RunConfig(seed=1)
    target = make_target(None, allow_writes=False)

    assert _run_prefix(config, target) == _run_prefix(config, target)
