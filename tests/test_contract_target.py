"""Target classification and the write rule, which keep the suite read-only against remote servers."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from contract_tests.client import KmsClient
from contract_tests.errors import UnsafeRequest, UsageError
from contract_tests.target import TargetKind, classify_url, make_target, new_run_prefix


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:3090",
        "http://localhost:8000",
        "http://[::1]:80",
        "http://127.5.0.1",
        "http://api.localhost",
    ],
)
def test_loopback_urls(url: str) -> None:
    assert classify_url(url) is TargetKind.LOOPBACK


@pytest.mark.parametrize(
    "url", ["http://kms.example.test", "https://10.0.0.5", "http://localhost.example.com"]
)
def test_remote_urls(url: str) -> None:
    assert classify_url(url) is TargetKind.REMOTE


def test_no_url_is_in_process() -> None:
    assert make_target(None, False).kind is TargetKind.IN_PROCESS


def test_non_http_url_is_usage_error() -> None:
    with pytest.raises(UsageError, match="ftp://x"):
        make_target("ftp://x", False)


def test_remote_permits_only_reads() -> None:
    target = make_target("http://kms.example.test", allow_writes=False)

    assert target.permits("GET")
    assert target.permits("head")
    assert not target.permits("POST")
    assert not target.permits("DELETE")


def test_remote_with_allow_writes_permits_writes() -> None:
    assert make_target("http://kms.example.test", allow_writes=True).permits("PUT")


def test_loopback_permits_writes_without_flag() -> None:
    assert make_target("http://127.0.0.1:3090", allow_writes=False).permits("POST")


def test_run_prefix_shape() -> None:
    prefix = new_run_prefix()

    assert prefix.startswith("kmsct-")
    assert len(prefix) == len("kmsct-") + 6
    int(prefix.removeprefix("kmsct-"), 16)


class RefusingSession(requests.Session):
    """Fails the test if anything is sent."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        raise AssertionError(f"a request was sent: {args}")


def test_client_refuses_write_to_remote_before_sending() -> None:
    client = KmsClient(RefusingSession(), make_target("http://kms.example.test", False))

    with pytest.raises(UnsafeRequest, match="--allow-writes"):
        client.request("POST", "/organizations/", json={"c_organization_id": "x", "quota": 1})
    assert client.sent == 0


def test_client_curl_masks_credentials() -> None:
    client = KmsClient(
        RefusingSession(),
        make_target("http://127.0.0.1:3090", False),
        {"Authorization": "Bearer secret-token"},
    )

    command = client.curl("GET", "/health")

    assert "secret-token" not in command
    assert "curl -X GET 'http://127.0.0.1:3090/health'" in command
