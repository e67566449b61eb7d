"""Tell a missing operation from a broken one.

A proposed operation that the target lacks is a gap, not a violation. The
target's own OpenAPI document decides when it serves one. Otherwise a probe
request separates FastAPI's unknown-route responses (404 with the bare detail
"Not Found", or 405) from responses of a real route, such as a 404 that names
the resource or a 422 for the probe's empty body. A trailing-slash redirect (307) is
followed, because FastAPI sends it for a route that exists.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from contract_tests.client import KmsClient
from contract_tests.errors import NotAKms, TargetUnreachable

logger = logging.getLogger("kms_contract")

UNKNOWN_ROUTE_DETAILS = frozenset({"Not Found", "Method Not Allowed"})
MAX_REDIRECTS = 3
PROBE_ID = "probe-does-not-exist"


@dataclass(frozen=True)
class Presence:
    """Whether the target offers an operation, and how that was judged."""

    present: bool | None
    reason: str


def normalise_path(path: str) -> str:
    """Drop parameter names so `/teams/{id}` and `/teams/{c_team_id}` compare equal."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def fetch_target_document(client: KmsClient) -> dict[str, Any] | None:
    """Return the target's /openapi.json, or None when it serves none; raise when it is unreachable."""
    try:
        response = client.request("GET", "/openapi.json")
    except requests.ConnectionError as error:
        raise TargetUnreachable(
            f"could not connect to {client.target.base_url} ({error.__class__.__name__}); "
            "check that the server runs and the --url is right"
        ) from error
    except requests.Timeout as error:
        raise TargetUnreachable(f"{client.target.base_url} did not answer within 30 s") from error
    if response.status_code != 200:
        return None
    try:
        document = response.json()
    except ValueError:
        return None
    # A document without paths describes none of the routes (an app may register them outside
    # FastAPI's schema generation), so presence is then judged by probes instead.
    if isinstance(document, dict) and isinstance(document.get("paths"), dict) and document["paths"]:
        return document
    return None


# listOrganizations: a live read, safe on any target, whose route every KMS has.
KMS_PROBE_PATH = "/organizations/"


def ensure_kms(client: KmsClient, document: Mapping[str, Any] | None, paths: Iterable[str]) -> None:
    """Raise `NotAKms` when the target's document lists no KMS path or a KMS read returns no JSON."""
    if document is not None:
        listed = {normalise_path(path).rstrip("/") for path in document["paths"]}
        if not listed & {normalise_path(path).rstrip("/") for path in paths}:
            raise NotAKms(client.target.base_url, "GET /openapi.json", "no_kms_paths", "200")
        return
    response = client.request("GET", KMS_PROBE_PATH)
    try:
        response.json()
    except ValueError:
        answer = f"{response.status_code} {response.headers.get('content-type', '')}".strip()
        raise NotAKms(client.target.base_url, f"GET {KMS_PROBE_PATH}", "not_json", answer) from None


def presence_from_document(document: Mapping[str, Any], method: str, path: str) -> Presence:
    """Judge presence from the operations listed in the target's own OpenAPI document."""
    expected_path = normalise_path(path)
    for candidate, item in document["paths"].items():
        if normalise_path(candidate).rstrip("/") != expected_path.rstrip("/") or not isinstance(
            item, Mapping
        ):
            continue
        if method.lower() in item:
            return Presence(True, "Listed in the target's /openapi.json.")
    return Presence(False, f"The target's /openapi.json does not list {method} {path}.")


def probe_operation(client: KmsClient, method: str, path: str) -> Presence:
    """Send one harmless request and classify the response; `present` is None when writes are off."""
    if not client.target.permits(method):
        return Presence(None, "Not probed: the target is remote and writes are off (--allow-writes).")
    concrete = re.sub(r"\{[^}]*\}", PROBE_ID, path)
    body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") else None
    response = client.request(method, concrete, json=body)
    for _ in range(MAX_REDIRECTS):
        if response.status_code not in (307, 308) or "location" not in response.headers:
            break
        location = response.headers["location"].removeprefix(client.target.base_url)
        response = client.request(method, location, json=body)
    return _classify(response, method, concrete)


def _classify(response: requests.Response, method: str, path: str) -> Presence:
    detail = _detail(response)
    if response.status_code == 405 or (response.status_code == 404 and detail in UNKNOWN_ROUTE_DETAILS):
        return Presence(
            False,
            f"Probe {method} {path} got {response.status_code} {detail!r}, "
            "FastAPI's answer for an unknown route.",
        )
    return Presence(
        True, f"Probe {method} {path} got {response.status_code}, an answer of an existing route."
    )


def _detail(response: requests.Response) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("detail") if isinstance(body, dict) else None


def judge_presence(
    client: KmsClient, operations: Iterable[tuple[str, str, str]], document: Mapping[str, Any] | None
) -> dict[str, Presence]:
    """Judge each `(operation_id, method, path)`: from the target's document when given, else by probes."""
    judged = {}
    for operation_id, method, path in operations:
        if document is not None:
            judged[operation_id] = presence_from_document(document, method, path)
        else:
            judged[operation_id] = probe_operation(client, method, path)
        logger.debug("presence of %s: %s", operation_id, judged[operation_id])
    return judged
