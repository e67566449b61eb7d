"""Both OpenAPI files are valid OpenAPI 3.1 and pass spectral's built-in rules."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

import spec

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
SPECTRAL = REPO_ROOT / "node_modules" / ".bin" / "spectral"
SPECTRAL_INSTALL = "npm ci (at the repository root)"


def test_kms_spec_is_valid_openapi() -> None:
    validate(spec.load_spec())


def test_control_spec_is_valid_openapi() -> None:
    validate(spec.load_control_spec())


def test_validator_rejects_undeclared_path_parameter() -> None:
    document = spec.load_spec()
    del document["paths"]["/spend/org/{c_organization_id}"]["parameters"]

    with pytest.raises(OpenAPIValidationError):
        validate(document)


def test_kms_spec_openapi_and_info_versions() -> None:
    document = spec.load_spec()

    assert document["openapi"] == "3.1.0"
    assert document["info"]["version"] == "0.1.0"


def test_servers_name_only_the_local_mock() -> None:
    servers = [server["url"] for server in spec.load_spec()["servers"]]

    assert servers == ["http://127.0.0.1:3090"]


def test_live_kms_address_absent_from_spec_files() -> None:
    # The live KMS host must not appear in any contract file, so no tool can pick
    # it up as a default.
    live_host = ".".join(["172", "171", "97", "248"])

    assert live_host not in spec.SPEC_PATH.read_text(encoding="utf-8")
    assert live_host not in spec.CONTROL_SPEC_PATH.read_text(encoding="utf-8")


def _spectral_or_skip() -> pathlib.Path:
    if SPECTRAL.exists() and shutil.which("node"):
        return SPECTRAL
    reason = f"spectral is not installed; run {SPECTRAL_INSTALL}"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}. CI is set, so a missing linter is an error, not a skip.")
    pytest.skip(reason)


def test_spectral_reports_no_errors_or_warnings() -> None:
    # The requirement is no errors. Warnings are kept at zero too, because each
    # one left in place hides the next new one in the output.
    spectral = _spectral_or_skip()
    command = [
        str(spectral),
        "lint",
        "--fail-severity=warn",
        "--ruleset",
        str(REPO_ROOT / ".spectral.yaml"),
        str(spec.SPEC_PATH),
        str(spec.CONTROL_SPEC_PATH),
    ]

    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)

    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_missing_spectral_skips_outside_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    monkeypatch.setitem(globals(), "SPECTRAL", tmp_path / "spectral")
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="npm ci"):
        _spectral_or_skip()


def test_missing_spectral_fails_under_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    monkeypatch.setitem(globals(), "SPECTRAL", tmp_path / "spectral")
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        _spectral_or_skip()
