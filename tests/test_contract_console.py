"""What a CLI run leaves in the user's folder and prints on the console, run as a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

KMS_CONTRACT = Path(sys.executable).parent / "kms-contract"
RUN_TIMEOUT_SECONDS = 300


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Run the CLI once against the in-process mock from an empty working directory."""
    workdir = tmp_path_factory.mktemp("cwd")
    completed = subprocess.run(
        [
            str(KMS_CONTRACT),
            "run",
            "--seed",
            "1",
            "--max-examples",
            "3",
            "--report-dir",
            "out",
            "--lang",
            "en",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
    )
    return workdir, completed


def test_no_hypothesis_folder_in_cwd(
    quick_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    workdir, completed = quick_run

    assert completed.returncode == 0, completed.stderr[-2000:]
    assert not (workdir / ".hypothesis").exists()


def test_mock_log_written_to_report_dir(quick_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    workdir, _ = quick_run

    assert (workdir / "out" / "mock.log").is_file()


def test_console_has_no_mock_warnings(quick_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, completed = quick_run
    console = completed.stdout + completed.stderr

    assert "kms_mock" not in console
    assert "cancelled" not in console
    assert "Steps leading up to" not in console


def test_summary_names_mock_log(quick_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, completed = quick_run

    assert "mock.log" in completed.stdout
