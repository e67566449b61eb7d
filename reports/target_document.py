"""Load the OpenAPI document a target serves, from a file or a URL.

Fetching is limited to loopback addresses unless the caller passes
``allow_remote=True``: the contract suite decides whether a remote target may
be contacted, and this module must not make that choice behind its back.
Host names other than ``localhost`` are rejected without a DNS look-up, because
resolving a name is already traffic to somewhere else.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

logger = logging.getLogger("kms_contract")


class TargetDocumentError(ValueError):
    """The target's OpenAPI document could not be read or parsed."""


class RemoteTargetRejected(TargetDocumentError):
    """A non-loopback URL was passed without allow_remote=True."""


def is_loopback_url(url: str) -> bool:
    """Tell whether a URL's host is localhost or a loopback IP literal (127.0.0.0/8, ::1)."""
    host = urlsplit(url).hostname
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parse(text: str, source: str) -> dict[str, Any]:
    try:
        document = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise TargetDocumentError(f"{source} is neither JSON nor YAML: {error}") from error
    if not isinstance(document, dict) or "paths" not in document:
        raise TargetDocumentError(f"{source} is not an OpenAPI document: it has no top-level 'paths' object")
    return document


def _fetch(url: str, allow_remote: bool, timeout: float) -> dict[str, Any]:
    loopback = is_loopback_url(url)
    if not loopback and not allow_remote:
        raise RemoteTargetRejected(
            f"not fetching {url}: only loopback addresses (127.0.0.0/8, ::1, localhost) are allowed. "
            "Pass allow_remote=True to fetch from another host."
        )
    logger.info("fetching target OpenAPI document %s", url)
    try:
        # Proxy settings from the environment could route a loopback request elsewhere.
        response = httpx.get(url, timeout=timeout, follow_redirects=False, trust_env=not loopback)
    except httpx.HTTPError as error:
        raise TargetDocumentError(f"could not fetch {url}: {error}") from error
    if response.status_code != 200:
        raise TargetDocumentError(
            f"could not fetch {url}: status {response.status_code}, expected 200 with the OpenAPI document"
        )
    return _parse(response.text, url)


def load_target_document(
    source: str | Path, *, allow_remote: bool = False, timeout: float = 10.0
) -> dict[str, Any]:
    """Read an OpenAPI document from a file path or an http(s) URL.

    Raises RemoteTargetRejected for a non-loopback URL unless allow_remote is
    true, and TargetDocumentError when the document cannot be read or parsed.
    """
    text = str(source)
    if isinstance(source, str) and text.startswith(("http://", "https://")):
        return _fetch(text, allow_remote, timeout)
    try:
        content = Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise TargetDocumentError(f"could not read {text}: {error}") from error
    return _parse(content, text)
