"""Settings of one mock KMS, one field per `kms-mock` option.

Each field can also come from a `KMS_MOCK_*` environment variable, so a CI job
or a container can configure the mock without a command line. Command-line
values win over the environment, and the environment wins over the defaults.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROFILES = ("extended", "live")
LOG_LEVELS = ("debug", "info", "warning", "error")
ENV_PREFIX = "KMS_MOCK_"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


@dataclass(frozen=True)
class MockSettings:
    """Everything that changes how a mock KMS behaves."""

    host: str = "127.0.0.1"
    port: int = 3090
    profile: str = "extended"
    state_file: Path | None = None
    fixtures: Path | None = None
    strict: bool = False
    lang: str | None = None
    log_level: str = "info"
    # Webhook deliveries go to loopback receivers only, unless a host is named here.
    webhook_allowed_hosts: tuple[str, ...] = ()
    # Seconds to wait before each retry of a failed delivery.
    webhook_retry_schedule: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)
    fault_file: Path | None = None
    # `--fault` specs such as `getTeamSpend:latency_ms=200`, applied over the fault file.
    faults: tuple[str, ...] = ()
    seed: int | None = None
    max_body_bytes: int = field(default=1024 * 1024)

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"invalid profile {self.profile!r}: use one of {', '.join(PROFILES)}")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"invalid port {self.port}: use a number from 0 to 65535")
        if self.log_level not in LOG_LEVELS:
            raise ValueError(f"invalid log level {self.log_level!r}: use one of {', '.join(LOG_LEVELS)}")

    @property
    def is_loopback(self) -> bool:
        """True when the mock listens on a loopback address only."""
        return self.host in LOOPBACK_HOSTS

    def replace(self, **changes: object) -> MockSettings:
        """Return a copy with `changes` applied; `None` values leave a field as it is."""
        applied = {name: value for name, value in changes.items() if value is not None}
        return dataclasses.replace(self, **applied)  # type: ignore[arg-type]


def parse_bool(name: str, text: str) -> bool:
    """Read a boolean environment variable such as `KMS_MOCK_STRICT=1`."""
    lowered = text.strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ValueError(f"invalid value {text!r} for {name}: use 1/0, true/false, yes/no or on/off")


def parse_int(name: str, text: str) -> int:
    """Read an integer environment variable such as `KMS_MOCK_PORT=3091`."""
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"invalid value {text!r} for {name}: use a whole number") from None


def parse_hosts(text: str) -> tuple[str, ...]:
    """Read a comma-separated host list such as `hooks.example.test,10.0.0.5`."""
    return tuple(host.strip() for host in text.split(",") if host.strip())


def parse_schedule(name: str, text: str) -> tuple[float, ...]:
    """Read retry delays in seconds such as `1,2,4`."""
    try:
        delays = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"invalid value {text!r} for {name}: use seconds separated by commas") from None
    if any(delay < 0 for delay in delays):
        raise ValueError(f"invalid value {text!r} for {name}: delays cannot be negative")
    return delays


def settings_from_env(environ: Mapping[str, str] | None = None) -> MockSettings:
    """Build settings from the defaults and every `KMS_MOCK_*` variable that is set."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for name, text in env.items():
        if name.startswith(ENV_PREFIX):
            key = name[len(ENV_PREFIX) :].lower()
            if key in ENV_READERS:
                values[key] = ENV_READERS[key](name, text)
    return MockSettings().replace(**values)


def _text(_name: str, text: str) -> str:
    return text.strip()


def _path(_name: str, text: str) -> Path | None:
    return Path(text) if text.strip() else None


ENV_READERS = {
    "host": _text,
    "port": parse_int,
    "profile": _text,
    "state_file": _path,
    "fixtures": _path,
    "strict": parse_bool,
    "lang": _text,
    "log_level": lambda _name, text: text.strip().lower(),
    "webhook_allowed_hosts": lambda _name, text: parse_hosts(text),
    "webhook_retry_schedule": parse_schedule,
    "fault_file": _path,
    # Fault specs contain commas, so the variable separates them with ";".
    "faults": lambda _name, text: tuple(spec.strip() for spec in text.split(";") if spec.strip()),
    "seed": parse_int,
}
