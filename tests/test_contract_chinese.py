"""results.json carries Chinese reasons and messages, and the Chinese report prints them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from contract_tests.chinese import to_chinese
from contract_tests.runner import RunConfig, run
from reports.render import render_markdown

CJK = re.compile(r"[\u4e00-\u9fff]")
SAMPLE = Path(__file__).resolve().parent.parent / "reports" / "examples" / "report.zh-CN.md"


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return run(RunConfig(max_examples=1, seed=3, stateful=False)).to_dict()


def test_every_reason_has_chinese(results: dict[str, Any]) -> None:
    untranslated = [op["reason_zh"] for op in results["operations"] if not CJK.search(op["reason_zh"])]

    assert untranslated == []


def test_every_scenario_message_has_chinese(results: dict[str, Any]) -> None:
    untranslated = [s["message_zh"] for s in results["scenarios"] if not CJK.search(s["message_zh"])]

    assert untranslated == []


def test_english_reason_kept(results: dict[str, Any]) -> None:
    assert all(not CJK.search(op["reason"]) for op in results["operations"])


def test_chinese_report_prints_chinese_reason(results: dict[str, Any]) -> None:
    report = render_markdown(results, "zh-CN", {})

    assert "Every check passed" not in report
    assert "所有检查均通过" in report


def test_nested_reason_translated() -> None:
    english = "The target lacks deleteOrganization (The target's /openapi.json does not list DELETE /x.)"

    assert (
        to_chinese(english)
        == "目标服务缺少 deleteOrganization 接口（目标服务的 /openapi.json 中没有列出 DELETE /x）"
    )


def test_unknown_sentence_unchanged() -> None:
    assert to_chinese("quota is 1E+2") == "quota is 1E+2"


def test_sample_chinese_report_has_no_english_reason() -> None:
    reasons = [line for line in SAMPLE.read_text("utf-8").splitlines() if line.startswith("- 判定依据")]

    assert reasons
    assert all(CJK.search(line.split("：", 1)[1]) for line in reasons)
