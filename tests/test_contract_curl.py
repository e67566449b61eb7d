"""Reproduction commands: readable request headers, hidden credentials, and where to replay them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

import spec
from contract_tests.cli import invoke
from contract_tests.client import IN_PROCESS_CURL_NOTE, KmsClient, masked
from contract_tests.fuzzing import operations_by_id
from contract_tests.runner import RunConfig, _schemathesis_schema, run
from contract_tests.target import make_target


def increment_curl(headers: dict[str, str], user_headers: dict[str, str]) -> str:
    operations = operations_by_id(_schemathesis_schema(spec.load_spec()))
    case: Any = operations["incrementOrganizationQuota"].Case(
        path_parameters={"c_organization_id": "acme"}, headers=headers, body={"amount": "1"}
    )
    return str(case.as_curl_command(headers=masked(user_headers), base_url="http://127.0.0.1:3090"))


def test_idempotency_key_stays_readable() -> None:
    curl = increment_curl({"Idempotency-Key": "abc-123"}, {})

    assert "Idempotency-Key: abc-123" in curl
    assert "[Filtered]" not in curl


def test_authorization_in_case_is_hidden() -> None:
    curl = increment_curl({"Idempotency-Key": "k", "Authorization": "Bearer s3cret"}, {})

    assert "s3cret" not in curl


def test_user_header_value_is_hidden() -> None:
    curl = increment_curl({"Idempotency-Key": "k"}, {"X-Tenant": "tenant-secret-value"})

    assert "tenant-secret-value" not in curl
    assert "X-Tenant" in curl


def test_loopback_curl_has_no_replay_note() -> None:
    client = KmsClient(requests.Session(), make_target("http://127.0.0.1:3999", False))

    assert IN_PROCESS_CURL_NOTE not in client.curl("GET", "/health")


def test_in_process_run_notes_replay_address() -> None:
    results = run(RunConfig(max_examples=1, seed=1, stateful=False, scenarios=False, view="live"))

    notes = results.to_dict()["run"]["notes"]
    assert any("kms-mock --strict" in note["en"] for note in notes)
    assert all(note["zh-CN"] for note in notes)


def test_in_process_failure_curl_carries_note() -> None:
    client = KmsClient(requests.Session(), make_target(None, False))

    assert client.curl("GET", "/health").endswith(IN_PROCESS_CURL_NOTE)


def test_report_usage_error_points_at_report_help(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}', "utf-8")

    code = invoke(["report", str(other)])

    err = capsys.readouterr().err
    assert code == 2
    assert "kms-contract report --help" in err
    assert "kms-contract run --help" not in err


def test_run_usage_error_points_at_run_help(capsys: pytest.CaptureFixture[str]) -> None:
    code = invoke(["run", "--header", "no-colon"])

    assert code == 2
    assert "kms-contract run --help" in capsys.readouterr().err
