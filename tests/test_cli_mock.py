"""The kms-mock command: help in two languages, settings, start-up errors and shutdown."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from fixtures_server import kms_mock_command, run_kms_mock, stop_kms_mock

from mock_server import cli
from mock_server.config import MockSettings
from mock_server.i18n import lang_from_argv
from mock_server.store import Store


def invoke(args: list[str], env: dict[str, str] | None = None) -> Any:
    lang = lang_from_argv(args, env or {})
    return CliRunner().invoke(cli.build_command(lang), args, env=env)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[MockSettings]:
    """Replace uvicorn with a recorder of the settings the command would serve."""
    calls: list[MockSettings] = []
    monkeypatch.setattr(cli, "serve", lambda app, settings: calls.append(settings))
    # Nothing listens, so the port may be in use by another mock on this machine.
    monkeypatch.setattr(cli, "check_port_free", lambda settings, lang: None)
    return calls


def test_help_in_english() -> None:
    result = invoke(["--help"], {"LANG": "C"})

    assert result.exit_code == 0
    assert "Address to listen on" in result.output


def test_help_in_chinese_by_option() -> None:
    result = invoke(["--lang", "zh-CN", "--help"], {"LANG": "C"})

    assert result.exit_code == 0
    assert "监听地址" in result.output


def test_help_in_chinese_by_lang_variable() -> None:
    result = invoke(["--help"], {"LANG": "zh_CN.UTF-8"})

    assert "监听地址" in result.output


def test_options_override_environment(served: list[MockSettings]) -> None:
    env = {"KMS_MOCK_PORT": "4000", "KMS_MOCK_PROFILE": "live", "KMS_MOCK_STRICT": "1"}

    result = invoke(["--port", "4001"], env)

    assert result.exit_code == 0, result.output
    assert served[0].port == 4001
    assert served[0].profile == "live"
    assert served[0].strict is True


def test_invalid_environment_value_is_usage_error(served: list[MockSettings]) -> None:
    result = invoke([], {"KMS_MOCK_PORT": "http"})

    assert result.exit_code == 2
    assert "KMS_MOCK_PORT" in result.output
    assert served == []


def test_non_loopback_host_warns(served: list[MockSettings]) -> None:
    result = invoke(["--host", "0.0.0.0"], {"LANG": "C"})

    assert result.exit_code == 0, result.output
    assert "reachable from the network" in result.output


def start_failure(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(kms_mock_command("--port", "0", *args), capture_output=True, text=True, timeout=30)


@pytest.mark.slow
def test_corrupt_state_file_one_line(tmp_path: Path) -> None:
    state_file = tmp_path / "state.db"
    state_file.write_bytes(b"this is not a database")

    result = start_failure(["--state-file", str(state_file), "--lang", "en"])

    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert str(state_file) in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_unwritable_state_file_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")

    result = start_failure(["--state-file", str(blocker / "state.db"), "--lang", "zh-CN"])

    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "状态文件" in result.stderr


@pytest.mark.slow
def test_bad_fixture_file_one_line(tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures.yaml"
    fixtures.write_text("organizations:\n  - {c_organization_id: acme, quota: -5}\n")

    result = start_failure(["--fixtures", str(fixtures), "--lang", "en"])

    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "fixtures.yaml" in result.stderr


@pytest.mark.slow
def test_sigterm_exits_zero_state_intact(tmp_path: Path) -> None:
    state_file = tmp_path / "state.db"

    with run_kms_mock(["--state-file", str(state_file)]) as (base_url, process):
        created = httpx.post(f"{base_url}/organizations/", json={"c_organization_id": "acme", "quota": "7.5"})
        started = time.monotonic()
        status, stderr = stop_kms_mock(process)
        elapsed = time.monotonic() - started

    assert created.status_code == 201, created.text
    assert status == 0, stderr
    assert elapsed < 5
    assert "kms-mock stopped" in stderr
    store = Store(state_file=state_file)
    assert str(store.get_organization("acme").quota) == "7.5"
    store.close()


@pytest.mark.slow
def test_start_line_names_address_profile_state(tmp_path: Path) -> None:
    with run_kms_mock(["--profile", "live"]) as (base_url, process):
        _status, stderr = stop_kms_mock(process)

    assert f"starting on {base_url}" in stderr
    assert "profile live" in stderr
    assert "state in memory" in stderr


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port that another socket is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        yield int(holder.getsockname()[1])


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "fix"), [("en", "--port"), ("zh-CN", "换一个端口")])
def test_taken_port_one_line(taken_port: int, lang: str, fix: str) -> None:
    command = kms_mock_command("--host", "127.0.0.1", "--port", str(taken_port), "--lang", lang)

    result = subprocess.run(command, capture_output=True, text=True, timeout=30)

    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert f"127.0.0.1:{taken_port}" in result.stderr
    assert fix in result.stderr
    assert "KMS_MOCK_PORT" in result.stderr
    assert "Traceback" not in result.stderr
    assert "starting on" not in result.stderr


@pytest.mark.slow
def test_restart_with_fixtures_keeps_state(tmp_path: Path) -> None:
    state_file = tmp_path / "kms.sqlite3"
    fixtures = Path(__file__).resolve().parents[1] / "mock_server" / "fixtures" / "example.yaml"
    args = ["--state-file", str(state_file), "--fixtures", str(fixtures), "--log-level", "info"]
    with run_kms_mock(args) as (base_url, _process):
        first = httpx.get(f"{base_url}/organizations/", timeout=5.0).json()

    with run_kms_mock(args) as (base_url, process):
        second = httpx.get(f"{base_url}/organizations/", timeout=5.0).json()
        status, output = stop_kms_mock(process)

    assert second == first
    assert status == 0
    assert "skipped" in output
    assert "already exists" not in output
