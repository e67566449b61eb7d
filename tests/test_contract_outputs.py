"""The report folder: stale outputs removed, a failed run still leaves red results, bad folders refused."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fixtures_server import free_port

from contract_tests.cli import invoke


def _stale_green_outputs(report_dir: Path) -> None:
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "results.json").write_text('{"summary": {"verdict": "holds"}}', "utf-8")
    (report_dir / "junit.xml").write_text("<testsuites/>", "utf-8")
    (report_dir / "report.en.md").write_text("The contract holds.", "utf-8")
    (report_dir / "mock.log").write_text("old", "utf-8")


def _unreachable_run(report_dir: Path) -> int:
    url = f"http://127.0.0.1:{free_port()}"
    return invoke(["run", "--url", url, "--report-dir", str(report_dir), "--lang", "en"])


def test_failed_run_exits_4(tmp_path: Path) -> None:
    _stale_green_outputs(tmp_path)

    assert _unreachable_run(tmp_path) == 4


def test_failed_run_replaces_stale_results(tmp_path: Path) -> None:
    _stale_green_outputs(tmp_path)
    _unreachable_run(tmp_path)

    summary = json.loads((tmp_path / "results.json").read_text("utf-8"))["summary"]
    assert summary["verdict"] == "could_not_run"
    assert summary["exit_code"] == 4
    assert summary["reason"]


def test_failed_run_writes_errored_junit_case(tmp_path: Path) -> None:
    _stale_green_outputs(tmp_path)
    _unreachable_run(tmp_path)

    root = ET.parse(tmp_path / "junit.xml").getroot()
    errors = root.findall(".//testcase/error")
    assert root.get("errors") == "1"
    assert len(errors) == 1
    assert "127.0.0.1" in (errors[0].get("message") or "")


def test_failed_run_removes_stale_mock_log(tmp_path: Path) -> None:
    _stale_green_outputs(tmp_path)
    _unreachable_run(tmp_path)

    assert not (tmp_path / "mock.log").exists()


def test_failed_run_report_not_passing(tmp_path: Path) -> None:
    _stale_green_outputs(tmp_path)
    _unreachable_run(tmp_path)

    report = tmp_path / "report.en.md"
    assert not report.exists() or "The contract holds." not in report.read_text("utf-8")


def test_report_dir_file_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = tmp_path / "file.txt"
    existing.write_text("x", "utf-8")

    code = invoke(["run", "--report-dir", str(existing), "--lang", "en"])

    assert code == 2
    assert "is a file" in _flat(capsys.readouterr().err)


def test_empty_report_dir_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    code = invoke(["run", "--report-dir", "", "--lang", "zh-CN"])

    errors = capsys.readouterr().err
    assert code == 2
    assert "--report-dir" in errors
    assert "错误" in errors


def test_unwritable_report_dir_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # No user can create a folder below a file, so this works under root too (unlike chmod).
    blocker = tmp_path / "blocker"
    blocker.write_text("x", "utf-8")

    code = invoke(["run", "--report-dir", str(blocker / "out"), "--lang", "en"])

    assert code == 2
    assert "cannot be written" in _flat(capsys.readouterr().err)


def test_invalid_url_port_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = invoke(["run", "--url", "http://localhost:99999", "--report-dir", str(tmp_path), "--lang", "en"])

    assert code == 2
    assert "invalid port" in _flat(capsys.readouterr().err)


def _flat(text: str) -> str:
    """Undo the console's line wrapping."""
    return " ".join(text.split())
