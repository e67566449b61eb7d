"""reports.render: validation, determinism and the content of every output file."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import reports
from reports.context import load_findings

DATA = Path(__file__).parent / "data"
OUTPUT_NAMES = ["report.en.md", "report.zh-CN.md", "report.html", "results.json"]


def load(name: str) -> dict[str, Any]:
    results: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return results


def read(directory: Path, name: str) -> str:
    return (directory / name).read_text(encoding="utf-8")


def test_render_writes_the_four_outputs(tmp_path: Path) -> None:
    written = reports.render(load("results-full.json"), tmp_path)

    assert [path.name for path in written] == OUTPUT_NAMES
    assert all(path.parent == tmp_path for path in written)


@pytest.mark.parametrize("name", ["results-full.json", "results-one-violation.json"])
def test_same_results_give_identical_bytes(tmp_path: Path, name: str) -> None:
    reports.render(load(name), tmp_path / "first")
    reports.render(load(name), tmp_path / "second")

    for output in OUTPUT_NAMES:
        assert (tmp_path / "first" / output).read_bytes() == (tmp_path / "second" / output).read_bytes(), (
            output
        )


def test_key_order_of_input_does_not_change_output(tmp_path: Path) -> None:
    results = load("results-full.json")
    shuffled = json.loads(json.dumps(results, sort_keys=True))
    shuffled["operations"] = list(reversed(shuffled["operations"]))

    reports.render(results, tmp_path / "as-is")
    reports.render(shuffled, tmp_path / "shuffled")

    for output in ["report.en.md", "report.zh-CN.md", "report.html"]:
        assert read(tmp_path / "as-is", output) == read(tmp_path / "shuffled", output), output


def test_results_json_round_trips_sorted(tmp_path: Path) -> None:
    results = load("results-full.json")

    reports.render(results, tmp_path)
    text = read(tmp_path, "results.json")

    assert json.loads(text) == results
    assert text == json.dumps(results, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_missing_field_is_named(tmp_path: Path) -> None:
    results = load("results-full.json")
    del results["operations"][3]["state"]

    with pytest.raises(
        reports.InvalidResults, match=r"results\.operations\[3\]: \"state\" is a required property"
    ):
        reports.render(results, tmp_path)
    assert not (tmp_path / "report.en.md").exists()


def test_missing_top_level_field_is_named(tmp_path: Path) -> None:
    results = load("results-full.json")
    del results["summary"]

    with pytest.raises(reports.InvalidResults, match=r"results: \"summary\" is a required property"):
        reports.render(results, tmp_path)


def test_unknown_state_is_rejected(tmp_path: Path) -> None:
    results = load("results-full.json")
    results["operations"][0]["state"] = "broken"

    with pytest.raises(reports.InvalidResults, match=r"results\.operations\[0\]\.state"):
        reports.render(results, tmp_path)


def test_summary_disagreeing_with_operations_is_rejected(tmp_path: Path) -> None:
    results = load("results-full.json")
    results["summary"]["states"]["conforms"] += 1

    with pytest.raises(
        reports.InvalidResults, match=r"results\.summary\.states\.conforms is 9, but 8 operations"
    ):
        reports.render(results, tmp_path)


def test_verdict_names_violations_and_high_gaps(tmp_path: Path) -> None:
    reports.render(load("results-full.json"), tmp_path)
    english, chinese = read(tmp_path, "report.en.md"), read(tmp_path, "report.zh-CN.md")
    verdict_en = english.split("## Verdict\n\n")[1].split("\n")[0]
    verdict_zh = chinese.split("## 结论\n\n")[1].split("\n")[0]

    assert "The contract does not hold: violations were found in 2 operations" in verdict_en
    assert "Missing with high priority: `getHealth`, `getOrganization`" in verdict_en
    assert "契约不成立：有 2 个接口（`listKeys`、`getOrganizationSpend`）的行为与契约不符。" in verdict_zh
    assert "缺失 10 个" in verdict_zh


def test_verdict_for_a_holding_contract(tmp_path: Path) -> None:
    results = load("results-one-violation.json")
    results["operations"] = [results["operations"][1]]
    results["summary"] = {
        "states": {"conforms": 1, "violates": 0, "missing": 0, "not_tested": 0},
        "verdict": "holds",
        "exit_code": 0,
    }

    reports.render(results, tmp_path)

    assert "The contract holds: every tested operation conforms." in read(tmp_path, "report.en.md")
    assert "契约成立：所有已测试的接口均符合要求。" in read(tmp_path, "report.zh-CN.md")
    assert "First requests to the KMS team" not in read(tmp_path, "report.en.md")


def test_missing_operation_shows_spec_workaround(tmp_path: Path) -> None:
    workaround = {
        "getOrganization": {
            "en": {"approach": "List and filter.", "cost": "One list per lookup."},
            "zh-CN": {"approach": "列表后过滤。", "cost": "每次查询一次列表。"},
        }
    }

    reports.render(load("results-full.json"), tmp_path, workarounds=workaround)
    english = read(tmp_path, "report.en.md")
    section = english.split("#### `getOrganization`")[1].split("####")[0]

    assert "- Approach: List and filter." in section
    assert "- Cost: One list per lookup." in section
    assert "- 做法：列表后过滤。" in read(tmp_path, "report.zh-CN.md")


def test_default_workarounds_come_from_spec(tmp_path: Path) -> None:
    import spec

    expected = {op.operation_id: op.workaround for op in spec.operations(spec.load_spec()) if op.workaround}

    reports.render(load("results-full.json"), tmp_path)
    english = read(tmp_path, "report.en.md")

    assert expected, "the spec records no workaround at all"
    approach = expected["updateOrganizationQuota"]["en"]["approach"]
    assert f"- Approach: {' '.join(approach.split())}" in english


def test_every_finding_appears_in_both_languages(tmp_path: Path) -> None:
    reports.render(load("results-full.json"), tmp_path)
    english, chinese = read(tmp_path, "report.en.md"), read(tmp_path, "report.zh-CN.md")

    for finding in load_findings():
        assert f". {finding['title']['en']}\n" in english, finding["id"]
        assert f". {finding['title']['zh-CN']}\n" in chinese, finding["id"]


def test_required_findings_are_present() -> None:
    ids = {finding["id"] for finding in load_findings()}

    assert {
        "quota_field_naming",
        "webhook_test_organization_field",
        "team_id_scope",
        "spend_sentinel",
        "no_conditional_update",
        "no_idempotent_increment",
        "create_status_unspecified",
    } <= ids


def test_leftovers_listed_with_reason(tmp_path: Path) -> None:
    reports.render(load("results-full.json"), tmp_path)
    english = read(tmp_path, "report.en.md")
    section = english.split("## Leftovers\n")[1].split("\n## ")[0]

    assert "| organization | `kmsct-1a2b3c-org-1` | The target has no deleteOrganization. |" in section
    assert "| team | `kmsct-1a2b3c-team-1` | The target has no deleteTeam. |" in section


def test_no_leftovers_says_so(tmp_path: Path) -> None:
    reports.render(load("results-one-violation.json"), tmp_path)

    assert "The run left no test data behind on the target." in read(tmp_path, "report.en.md")
    assert "本次运行没有在目标服务上留下测试数据。" in read(tmp_path, "report.zh-CN.md")


def test_comparison_sorted_most_severe_first(tmp_path: Path) -> None:
    results = load("results-full.json")
    results["spec_comparison"]["differences"].reverse()

    reports.render(results, tmp_path)
    english = read(tmp_path, "report.en.md")
    rows = [line for line in english.split("## Static comparison")[1].splitlines() if line.startswith("| ")]

    assert [row.split(" | ")[0] for row in rows[2:]] == ["| critical", "| critical", "| minor"]


def test_curl_with_backticks_keeps_its_fence(tmp_path: Path) -> None:
    results = load("results-one-violation.json")
    curl = "curl -X GET 'http://127.0.0.1:3090/spend/org/a```b'"
    results["operations"][0]["failures"][0]["curl"] = curl

    reports.render(copy.deepcopy(results), tmp_path)
    english = read(tmp_path, "report.en.md")

    assert f"   ````sh\n   {curl}\n   ````" in english


def test_empty_failure_message_is_left_out(tmp_path: Path) -> None:
    results = load("results-one-violation.json")
    results["operations"][0]["failures"][0]["message"] = ""

    reports.render(results, tmp_path)

    assert "- Message:" not in read(tmp_path, "report.en.md")
    assert "<dt>Message</dt>" not in read(tmp_path, "report.html")


def test_verdict_names_failed_scenario(tmp_path: Path) -> None:
    results = load("results-one-violation.json")
    results["operations"] = [results["operations"][1]]
    results["summary"]["states"] = {"conforms": 1, "violates": 0, "missing": 0, "not_tested": 0}
    results["scenarios"] = [
        {"name": "recharge_flow", "state": "failed", "message": "remaining stayed negative"}
    ]

    reports.render(results, tmp_path)

    assert "violations were found in 1 scenario (`recharge_flow`)." in read(tmp_path, "report.en.md")
    assert "契约不成立：有 1 个场景（`recharge_flow`）的行为与契约不符。" in read(tmp_path, "report.zh-CN.md")
