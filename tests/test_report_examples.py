"""The committed sample report under reports/examples/ matches what the suite produces today."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import reports
from reports import examples

COMMITTED = Path(examples.__file__).resolve().parent / "examples"
OUTPUT_NAMES = ["report.en.md", "report.zh-CN.md", "report.html", "results.json"]


@pytest.mark.slow
def test_sample_report_is_current(tmp_path: Path) -> None:
    exit_code = examples.main([str(tmp_path)])

    assert exit_code == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(OUTPUT_NAMES)
    for name in OUTPUT_NAMES:
        committed = COMMITTED / name
        assert committed.exists(), f"{committed} is missing; run `python -m reports.examples`"
        assert (tmp_path / name).read_bytes() == committed.read_bytes(), (
            f"reports/examples/{name} is out of date; run `python -m reports.examples` and commit the result"
        )


def test_sample_results_validate() -> None:
    results = json.loads((COMMITTED / "results.json").read_text(encoding="utf-8"))

    reports.validate_results(results)
    assert results["run"]["view"] == "extended"
    assert results["summary"]["states"]["missing"] > 0
