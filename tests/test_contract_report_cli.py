"""`kms-contract report` validates its input first and names what it wrote."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contract_tests.cli import invoke
from contract_tests.runner import RunConfig, run


@pytest.fixture(scope="module")
def good_results() -> dict[str, Any]:
    return run(RunConfig(max_examples=1, seed=3, stateful=False)).to_dict()


def _broken(results: dict[str, Any], edit: Callable[[dict[str, Any]], None], folder: Path) -> Path:
    copy = json.loads(json.dumps(results))
    edit(copy)
    path = folder / "results.json"
    path.write_text(json.dumps(copy), "utf-8")
    return path


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_missing_summary_rejected(
    good_results: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _broken(good_results, lambda r: r.pop("summary"), tmp_path)

    code = invoke(["report", str(path), "--lang", "en"])

    assert code == 2
    assert "summary" in _flat(capsys.readouterr().err)


def test_bad_state_rejected(
    good_results: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _broken(good_results, lambda r: r["operations"][0].update(state="great"), tmp_path)

    code = invoke(["report", str(path), "--lang", "en"])

    assert code == 2
    assert "results.operations[0].state" in _flat(capsys.readouterr().err)


def test_wrong_counts_rejected(
    good_results: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _broken(good_results, lambda r: r["summary"]["states"].update(conforms=999), tmp_path)

    code = invoke(["report", str(path), "--lang", "en"])

    assert code == 2
    assert "results.summary.states.conforms" in _flat(capsys.readouterr().err)


def test_removed_state_rejected(
    good_results: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _broken(good_results, lambda r: r["operations"][0].pop("state"), tmp_path)

    code = invoke(["report", str(path), "--lang", "en"])

    assert code == 2
    assert "state" in _flat(capsys.readouterr().err)


def test_rejected_file_writes_nothing(good_results: dict[str, Any], tmp_path: Path) -> None:
    path = _broken(good_results, lambda r: r["operations"][0].pop("state"), tmp_path)

    invoke(["report", str(path), "--out", str(tmp_path / "out")])

    assert not (tmp_path / "out").exists()


def test_success_names_written_files(
    good_results: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _broken(good_results, lambda r: None, tmp_path)

    code = invoke(["report", str(path), "--out", str(tmp_path / "out"), "--lang", "en"])

    errors = _flat(capsys.readouterr().err)
    assert code == 0
    assert "Wrote" in errors
    assert "report.zh-CN.md" in errors
    assert "junit.xml" in errors
    assert "render again later" not in errors
