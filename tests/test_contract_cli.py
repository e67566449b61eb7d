"""`kms-contract` options, exit codes, messages in both languages, and re-rendering reports."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from contract_tests.cli import invoke
from contract_tests.runner import RunConfig, run


def test_help_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    code = invoke(["run", "--lang", "zh-CN", "--help"])

    assert code == 0
    assert "被测服务的基础 URL" in capsys.readouterr().out


def test_help_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    code = invoke(["run", "--lang", "en", "--help"])

    assert code == 0
    assert "Base URL of the server to test" in capsys.readouterr().out


def test_malformed_header_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = invoke(["run", "--header", "no-colon"])

    errors = capsys.readouterr().err
    assert code == 2
    assert "'no-colon'" in errors
    assert "NAME:VALUE" in errors


def test_zero_max_examples_is_usage_error() -> None:
    assert invoke(["run", "--max-examples", "0"]) == 2


def test_unknown_view_is_usage_error() -> None:
    assert invoke(["run", "--view", "staging"]) == 2


def test_unreachable_message_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from fixtures_server import free_port

    code = invoke(
        ["run", "--lang", "zh-CN", "--url", f"http://127.0.0.1:{free_port()}", "--report-dir", str(tmp_path)]
    )

    assert code == 4
    assert "错误" in capsys.readouterr().err


@pytest.fixture(scope="module")
def stored_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    results = run(RunConfig(max_examples=2, seed=1, stateful=False)).to_dict()
    path = tmp_path_factory.mktemp("stored") / "results.json"
    path.write_text(json.dumps(results), "utf-8")
    return path


def test_report_renders_again(stored_results: Path, tmp_path: Path) -> None:
    code = invoke(["report", str(stored_results), "--out", str(tmp_path)])

    assert code == 0
    assert json.loads((tmp_path / "results.json").read_text("utf-8")) == json.loads(
        stored_results.read_text("utf-8")
    )
    assert ET.parse(tmp_path / "junit.xml").getroot().tag == "testsuites"


def test_report_rejects_other_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}', "utf-8")

    code = invoke(["report", str(other)])

    assert code == 2
    assert "schema_version" in capsys.readouterr().err


def test_run_prints_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = invoke(
        ["run", "--max-examples", "1", "--seed", "2", "--report-dir", str(tmp_path), "--lang", "en"]
    )

    out = capsys.readouterr().out
    assert code == 0, out
    assert "getOrganizationSpend" in out
    assert "The contract holds." in out
    assert str(tmp_path) in out.replace("\n", "")


def test_missing_reports_package_still_writes_results(
    stored_results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A None entry in sys.modules makes `import reports` raise ImportError.
    monkeypatch.setitem(sys.modules, "reports", None)

    code = invoke(["report", str(stored_results), "--out", str(tmp_path), "--lang", "en"])

    assert code == 0
    assert (tmp_path / "results.json").exists()
    assert (tmp_path / "junit.xml").exists()
    assert "Reports were not rendered" in capsys.readouterr().err.replace("\n", " ")
