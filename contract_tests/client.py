"""The single door through which the suite reaches a target.

Every request of the run, generated or hand-written, passes `KmsClient`, so the
write rule for remote targets is enforced in one place. A POST, PUT, PATCH or
DELETE to a target where writes are off raises `UnsafeRequest` before any byte
is sent. The client also remembers what the run created, for clean-up.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

from contract_tests.errors import UnsafeRequest
from contract_tests.target import Target, TargetKind

if TYPE_CHECKING:
    from schemathesis import Case, Response

logger = logging.getLogger("kms_contract")

# Where `kms-mock` listens by default; curl commands of in-process runs point there so they can be replayed.
MOCK_DEFAULT_URL = "http://127.0.0.1:3090"
# Credential headers that a generated case may carry; their values are hidden in reproduction commands.
# Request headers of the contract itself, such as Idempotency-Key and If-Match, stay readable.
CREDENTIAL_HEADERS = ("authorization", "proxy-authorization", "cookie", "x-api-key")
MASK = "***"
# Appended to each curl command of an in-process run: the run had no port, so the command names the
# address where `kms-mock` listens by default.
IN_PROCESS_CURL_NOTE = "# in-process run: start `kms-mock --strict` on 127.0.0.1:3090 to replay"


def masked(headers: Mapping[str, str]) -> dict[str, str]:
    """Hide the values of the user's --header options; results files are shared with other teams."""
    return {name: MASK for name in headers}


@dataclass
class KmsClient:
    """Sends requests to one target with the user's headers, refusing writes where they are not allowed."""

    session: requests.Session
    target: Target
    headers: Mapping[str, str] = field(default_factory=dict)
    sent: int = 0

    @property
    def curl_base_url(self) -> str:
        if self.target.kind is TargetKind.IN_PROCESS:
            return MOCK_DEFAULT_URL
        return self.target.base_url

    def replayable(self, curl: str) -> str:
        """Return `curl` with a note on where to replay it when the run had no real address."""
        if self.target.kind is not TargetKind.IN_PROCESS:
            return curl
        first, newline, rest = curl.partition("\n")
        return f"{first} {IN_PROCESS_CURL_NOTE}{newline}{rest}"

    def guard(self, method: str, path: str) -> None:
        """Raise `UnsafeRequest` when `method` may not be sent to this target."""
        if not self.target.permits(method):
            raise UnsafeRequest(
                f"refusing {method.upper()} {path}: {self.target.base_url} is not a loopback target and "
                "writes are off; pass --allow-writes to let the suite create and delete test data there"
            )

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send one hand-written request; redirects are not followed so a 307 stays visible."""
        self.guard(method, path)
        self.sent += 1
        response = self.session.request(
            method.upper(),
            self.target.base_url + path,
            params=params,
            json=json,
            headers={**self.headers, **(headers or {})},
            allow_redirects=False,
            timeout=30,
        )
        logger.debug("%s %s -> %s", method.upper(), path, response.status_code)
        return response

    def send_case(self, case: Case[Any]) -> Response:
        """Send one schemathesis case to the target."""
        self.guard(case.method, case.formatted_path)
        self.sent += 1
        return case.call(
            base_url=self.target.base_url, session=self.session, headers=dict(self.headers), timeout=30
        )

    def curl(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None, json_body: str | None = None
    ) -> str:
        """Return a curl command that repeats a hand-written request against the target."""
        query = "&".join(f"{name}={value}" for name, value in (params or {}).items())
        url = self.curl_base_url + path + (f"?{query}" if query else "")
        parts = [f"curl -X {method.upper()} '{url}'"]
        parts.extend(f"-H '{name}: {value}'" for name, value in masked(self.headers).items())
        if json_body is not None:
            parts.append(f"-H 'Content-Type: application/json' -d '{json_body}'")
        return self.replayable(" ".join(parts))
