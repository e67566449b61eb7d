"""Ids in error messages read as the client sent them, not as Python escape sequences."""

from __future__ import annotations

import pytest
from fixtures_testclient import TestClient

from mock_server.quoting import quote_id

UNASSIGNED = "\U000a685a"


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("acme", "'acme'"),
        ("团队-甲", "'团队-甲'"),
        (UNASSIGNED, f"'{UNASSIGNED}'"),
        ("it's", "'it\\'s'"),
        ('say "hi"', "'say \"hi\"'"),
        ("back\\slash", "'back\\\\slash'"),
        ("line\nbreak", "'line\\nbreak'"),
    ],
)
def test_quote_id_escapes_only_ambiguous(value: str, quoted: str) -> None:
    assert quote_id(value) == quoted


def test_unknown_fault_operation_named_as_sent(kms: TestClient) -> None:
    response = kms.put("/_mock/faults", json={"operations": {f"get{UNASSIGNED}": {"latency_ms": 1}}})

    assert response.status_code == 404
    assert response.json()["detail"] == f"Operation 'get{UNASSIGNED}' not found in the spec"


def test_remote_webhook_host_names_option(kms: TestClient) -> None:
    body = {"url": "http://hooks.example.test/in", "events": ["quota_warning"], "secret": "s"}

    response = kms.post("/webhooks/configure", json=body)

    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert "--webhook-allowed-host hooks.example.test" in message
    assert "KMS_MOCK_WEBHOOK_ALLOWED_HOSTS" in message
