"""Configured webhook endpoints and the checks applied when one is configured.

Every check here runs at configure time, so a bad URL or secret is rejected
with a 422 before any delivery is attempted. The dispatcher repeats the URL
check before each delivery in case the allowed hosts changed.

The secret is write-only: it is kept on the endpoint object (hidden from
`repr`) and `public_view` leaves it out.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import logging
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from mock_server.models import format_timestamp
from mock_server.quoting import quote_id

logger = logging.getLogger("kms_mock")

EVENT_TYPES = ("quota_warning", "limit_exceeded")
TEST_EVENT_TYPE = "test"
DEFAULT_WARNING_THRESHOLD = Decimal("0.8")
MAX_SECRET_LENGTH = 256


class InvalidWebhookConfig(ValueError):
    """A webhook setting that the mock rejects at configure time (HTTP 422)."""

    def __init__(self, field_name: str, message: str, value: object) -> None:
        super().__init__(message)
        self.field_name = field_name
        self.message = message
        self.value = value


# ---------------------------------------------------------------- endpoints


@dataclass(frozen=True)
class WebhookEndpoint:
    """One configured receiver; the secret never leaves this object."""

    id: str
    url: str
    events: tuple[str, ...]
    warning_threshold: Decimal
    created_at: datetime
    secret: str = field(repr=False)

    def public_view(self) -> dict[str, Any]:
        """Return the fields a response may show, which excludes the secret."""
        return {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            "warning_threshold": format(self.warning_threshold, "f"),
            "created_at": format_timestamp(self.created_at),
        }


class EndpointRegistry:
    """Every endpoint configured on one mock, in configuration order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._endpoints: dict[str, WebhookEndpoint] = {}

    def add(
        self, url: str, events: Sequence[str], secret: str, warning_threshold: Decimal
    ) -> WebhookEndpoint:
        """Register one more endpoint; each call adds one, as configureWebhook does."""
        endpoint = WebhookEndpoint(
            id=f"whep_{secrets.token_hex(8)}",
            url=url,
            events=tuple(dict.fromkeys(events)),
            warning_threshold=warning_threshold,
            created_at=datetime.now(timezone.utc),
            secret=secret,
        )
        with self._lock:
            self._endpoints[endpoint.id] = endpoint
        logger.info("webhook endpoint configured id=%s url=%s events=%s", endpoint.id, url, ",".join(events))
        return endpoint

    def all(self) -> list[WebhookEndpoint]:
        with self._lock:
            return list(self._endpoints.values())

    def subscribed_to(self, event_type: str) -> list[WebhookEndpoint]:
        """Return the endpoints that receive `event_type`; every endpoint receives test events."""
        return [e for e in self.all() if event_type == TEST_EVENT_TYPE or event_type in e.events]

    def clear(self) -> None:
        with self._lock:
            self._endpoints.clear()


# ---------------------------------------------------------------- validation


def check_webhook_url(url: str, allowed_hosts: Sequence[str]) -> str:
    """Return `url` if the mock may deliver to it, else raise InvalidWebhookConfig.

    Only http and https are accepted. Link-local addresses (169.254.0.0/16,
    fe80::/10) are always rejected, because cloud metadata services live there.
    Other hosts must be loopback or named in `allowed_hosts`. Host names are
    compared as text and never resolved, so a name in `allowed_hosts` is
    trusted as given.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InvalidWebhookConfig(
            "url", f"invalid webhook url {quote_id(url)}: use an http:// or https:// URL", url
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidWebhookConfig("url", f"invalid webhook url {quote_id(url)}: the URL names no host", url)
    address = _ip_address(host)
    if address is not None and _is_link_local(address):
        raise InvalidWebhookConfig(
            "url", f"invalid webhook url {quote_id(url)}: link-local hosts are not allowed", url
        )
    if not _is_permitted_host(host, address, allowed_hosts):
        raise InvalidWebhookConfig(
            "url",
            f"invalid webhook url {quote_id(url)}: host {quote_id(host)} is not loopback, and the mock "
            f"delivers only to loopback by default; start kms-mock with --webhook-allowed-host {host} "
            "(or KMS_MOCK_WEBHOOK_ALLOWED_HOSTS) to allow it",
            url,
        )
    return url


def _ip_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_link_local(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # An IPv4-mapped IPv6 address (::ffff:169.254.169.254) reaches the IPv4 host.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_link_local
    return address.is_link_local


def _is_permitted_host(
    host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, allowed_hosts: Sequence[str]
) -> bool:
    if address is not None and address.is_loopback:
        return True
    if host == "localhost":
        return True
    return host in {allowed.strip().lower().strip("[]") for allowed in allowed_hosts}


def check_secret(secret: str) -> str:
    """Return `secret` if it can sign deliveries, else raise InvalidWebhookConfig (never showing it)."""
    if not 1 <= len(secret) <= MAX_SECRET_LENGTH:
        raise InvalidWebhookConfig("secret", f"invalid secret: use 1 to {MAX_SECRET_LENGTH} characters", None)
    if secret.startswith("whsec_") and not _decodes_as_base64(secret[len("whsec_") :]):
        raise InvalidWebhookConfig(
            "secret",
            "invalid secret: a secret starting with 'whsec_' must be non-empty base64 after it",
            None,
        )
    return secret


def _decodes_as_base64(text: str) -> bool:
    padded = text + "=" * (-len(text) % 4)
    try:
        return len(base64.b64decode(padded, validate=True)) > 0
    except (binascii.Error, ValueError):
        return False


def check_threshold(value: Decimal) -> Decimal:
    """Return a warning threshold strictly between 0 and 1, else raise InvalidWebhookConfig."""
    if not Decimal(0) < value < Decimal(1):
        raise InvalidWebhookConfig(
            "warning_threshold",
            f"invalid warning_threshold {format(value, 'f')}: use a fraction such as 0.8",
            value,
        )
    return value
