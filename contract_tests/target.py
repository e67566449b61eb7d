"""Where the suite sends its requests, and what it may send there.

The suite creates and deletes data, so the target's kind decides the safety
rules: against a remote host it only reads unless the user allows writes.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

from contract_tests.errors import UsageError

IN_PROCESS_BASE_URL = "http://testserver"
READ_METHODS = frozenset({"GET", "HEAD"})


class TargetKind(str, Enum):
    IN_PROCESS = "in-process"
    LOOPBACK = "loopback"
    REMOTE = "remote"


@dataclass(frozen=True)
class Target:
    """A target and the write permission the run has against it."""

    base_url: str
    kind: TargetKind
    allow_writes: bool

    @property
    def writes_enabled(self) -> bool:
        """Allow writes on local targets always, elsewhere only with --allow-writes."""
        return self.kind is not TargetKind.REMOTE or self.allow_writes

    def permits(self, method: str) -> bool:
        return method.upper() in READ_METHODS or self.writes_enabled


def classify_url(url: str) -> TargetKind:
    """Return LOOPBACK for localhost and loopback addresses, REMOTE for anything else."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return TargetKind.LOOPBACK
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return TargetKind.REMOTE
    return TargetKind.LOOPBACK if address.is_loopback else TargetKind.REMOTE


def make_target(url: str | None, allow_writes: bool) -> Target:
    """Build the target of a run; no URL means the in-process mock."""
    if url is None:
        return Target(IN_PROCESS_BASE_URL, TargetKind.IN_PROCESS, allow_writes)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--url {url!r} is not an http(s) URL; pass for example http://127.0.0.1:3090")
    try:
        _ = parts.port
    except ValueError as error:
        raise UsageError(f"--url {url!r} has an invalid port; use a port from 1 to 65535") from error
    return Target(url.rstrip("/"), classify_url(url), allow_writes)


def new_run_prefix(seed: int | None = None) -> str:
    """Return a recognisable prefix for every id this run creates, e.g. `kmsct-1a2b3c`.

    With a seed the prefix is derived from it, so two runs with the same seed send the same ids.
    """
    if seed is None:
        return f"kmsct-{secrets.token_hex(3)}"
    return f"kmsct-{hashlib.sha256(str(seed).encode()).hexdigest()[:6]}"
