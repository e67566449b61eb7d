"""The Markdown reports parse back to the states and counts of their results.json."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import reports

DATA = Path(__file__).parent / "data"
LANGUAGES = ["en", "zh-CN"]
STATES = ("conforms", "violates", "missing", "not_tested")
STATE_CODE = "|".join(STATES)
COUNT_ROW = re.compile(rf"^\| (?:[^|`]+ )?`({STATE_CODE})` \| (\d+) \|$")
OVERVIEW_ROW = re.compile(rf"^\| `(\w+)` \| .* \| (?:[^|`]+ )?`({STATE_CODE})` \|$")
SECTION_HEADING = re.compile(r"^#### `(\w+)`$")
SECTION_STATE = re.compile(rf"^- [^:：]+[:：] ?(?:[^`]+ )?`({STATE_CODE})`$")
FENCE = re.compile(r"^ *(`{3,})sh$")


@dataclass
class ParsedReport:
    """What a reader of one Markdown report learns about the run."""

    counts: dict[str, int] = field(default_factory=dict)
    overview: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    curls: list[str] = field(default_factory=list)


def parse_report(text: str) -> ParsedReport:
    parsed = ParsedReport()
    lines = text.splitlines()
    current: str | None = None
    for index, line in enumerate(lines):
        if match := COUNT_ROW.match(line):
            parsed.counts[match[1]] = int(match[2])
        elif match := OVERVIEW_ROW.match(line):
            parsed.overview[match[1]] = match[2]
        elif match := SECTION_HEADING.match(line):
            current = match[1]
        elif (match := SECTION_STATE.match(line)) and current is not None and current not in parsed.sections:
            parsed.sections[current] = match[1]
        elif match := FENCE.match(line):
            parsed.curls.append(lines[index + 1].strip())
    return parsed


def load(name: str) -> dict[str, Any]:
    results: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return results


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    reports.render(load("results-full.json"), out)
    return out


def report_of(directory: Path, lang: str) -> ParsedReport:
    return parse_report((directory / f"report.{lang}.md").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_counts_match_results(rendered: Path, lang: str) -> None:
    results = json.loads((rendered / "results.json").read_text(encoding="utf-8"))

    parsed = report_of(rendered, lang)

    assert parsed.counts == results["summary"]["states"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_counts_match_operation_states(rendered: Path, lang: str) -> None:
    results = json.loads((rendered / "results.json").read_text(encoding="utf-8"))
    counted = Counter(operation["state"] for operation in results["operations"])

    parsed = report_of(rendered, lang)

    assert parsed.counts == {state: counted.get(state, 0) for state in STATES}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_overview_states_match_results(rendered: Path, lang: str) -> None:
    results = json.loads((rendered / "results.json").read_text(encoding="utf-8"))
    expected = {operation["operationId"]: operation["state"] for operation in results["operations"]}

    parsed = report_of(rendered, lang)

    assert parsed.overview == expected


@pytest.mark.parametrize("lang", LANGUAGES)
def test_operation_sections_match_results(rendered: Path, lang: str) -> None:
    results = json.loads((rendered / "results.json").read_text(encoding="utf-8"))
    expected = {operation["operationId"]: operation["state"] for operation in results["operations"]}

    parsed = report_of(rendered, lang)

    assert parsed.sections == expected


@pytest.mark.parametrize("lang", LANGUAGES)
def test_missing_high_priority_comes_first(rendered: Path, lang: str) -> None:
    results = json.loads((rendered / "results.json").read_text(encoding="utf-8"))
    high_missing = {
        operation["operationId"]
        for operation in results["operations"]
        if operation["state"] == "missing" and operation["priority"] == "high"
    }

    order = list(report_of(rendered, lang).sections)

    assert set(order[: len(high_missing)]) == high_missing
    assert order[len(high_missing)] in {"listKeys", "getOrganizationSpend"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_one_violation_shows_its_curl(tmp_path: Path, lang: str) -> None:
    results = load("results-one-violation.json")
    curl = results["operations"][0]["failures"][0]["curl"]

    reports.render(results, tmp_path)
    parsed = report_of(tmp_path, lang)

    assert parsed.curls == [curl]
    assert parsed.counts["violates"] == 1
    assert parsed.sections == {"getOrganizationSpend": "violates", "getOrganization": "conforms"}


def test_parser_notices_a_wrong_count() -> None:
    # The parser must be able to disagree with results, or the tests above prove nothing.
    text = (
        "| conforms `conforms` | 7 |\n| `getHealth` | `GET /health` | proposed | high | missing `missing` |\n"
    )

    parsed = parse_report(text)

    assert parsed.counts == {"conforms": 7}
    assert parsed.overview == {"getHealth": "missing"}
