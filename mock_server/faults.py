"""Fault injection: settings, seeded decisions and the ASGI middleware that applies them.

A fault document has the shape of `FaultConfig` in spec/mock-control.openapi.yaml.
The same document is accepted by `PUT /_mock/faults`, by `kms-mock --faults-file
FILE` (YAML or JSON) and, one fault at a time, by `kms-mock --fault SPEC`:

    seed: 7                        # seeds every random choice; default 0
    global:                        # applies to every KMS operation
      error_rate: 0.1              # share of requests that get error_status
      error_status: 503            # default 500; without error_rate every request fails
    operations:                    # per operationId; fields override `global` one by one
      getOrganizationSpend:
        latency_ms: [100, 400]     # fixed (250) or a range drawn uniformly per request
        spend_unavailable: true    # spend "-1.0" with spend_status "unavailable"
      getTeam:
        drop_rate: 0.5             # share of requests whose connection is closed
      getHealth:
        health_degraded: true      # GET /health returns 503 "degraded"

A `--fault SPEC` is `[OPERATION_ID:]FIELD[=VALUE][,FIELD[=VALUE]...]`, where a
bare FIELD means true and a latency range is written `100-400`, for example
`getTeamSpend:latency_ms=200` or `error_rate=0.3,error_status=500`.

Every rule (the global one and each operation's) draws from its own
`random.Random`, seeded from `seed` and the rule's name and reset whenever the
faults are set, so the same requests in the same order meet the same faults.
Requests under `/_mock/` are never faulted, so a test can always switch faults
off again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("kms_mock")

CONTROL_PREFIX = "/_mock"
MAX_LATENCY_MS = 600_000
SPEND_OPERATIONS = frozenset({"getOrganizationSpend", "getTeamSpend", "getTeamUserSpend", "getUserSpend"})
GLOBAL_RULE = "global"


class FaultConfigError(ValueError):
    """An invalid fault document. `location` points at the offending field."""

    def __init__(self, location: Sequence[str | int], message: str, value: object) -> None:
        super().__init__(f"{'.'.join(str(part) for part in location)}: {message}")
        self.location = tuple(location)
        self.message = message
        self.value = value


class UnknownOperation(FaultConfigError):
    """A fault names an operationId that the spec does not have."""


class ConnectionDropped(Exception):
    """Raised by the middleware to close a connection without a complete response."""


def is_not_dropped_connection(record: logging.LogRecord) -> bool:
    """Filter out the server's traceback for an injected drop, which the middleware already logged."""
    return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


# uvicorn (0.55, both HTTP implementations) logs an exception escaping the app on this logger.
SERVER_ERROR_LOGGER = "uvicorn.error"


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class Fault:
    """The faults of one rule. A field left as None falls back to the global rule."""

    latency_ms: tuple[int, int] | None = None
    error_rate: float | None = None
    error_status: int | None = None
    drop_rate: float | None = None
    spend_unavailable: bool | None = None
    health_degraded: bool | None = None

    def over(self, base: Fault) -> Fault:
        """Return this rule with its unset fields taken from `base`."""
        changes = {f.name: getattr(base, f.name) for f in fields(self) if getattr(self, f.name) is None}
        return replace(self, **changes)

    @property
    def error_probability(self) -> float:
        if self.error_rate is not None:
            return self.error_rate
        return 1.0 if self.error_status is not None else 0.0

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is not None:
                data[item.name] = value
        if self.latency_ms is not None:
            low, high = self.latency_ms
            data["latency_ms"] = low if low == high else [low, high]
        return data


FAULT_FIELDS = frozenset(f.name for f in fields(Fault))


@dataclass(frozen=True)
class FaultConfig:
    """A whole fault document: the seed, the global rule and per-operation rules."""

    seed: int = 0
    global_fault: Fault = field(default_factory=Fault)
    operations: Mapping[str, Fault] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"seed": self.seed}
        if not self.global_fault.is_empty():
            data["global"] = self.global_fault.to_json()
        data["operations"] = {name: fault.to_json() for name, fault in self.operations.items()}
        return data

    def rule_for(self, operation_id: str | None) -> tuple[str, Fault]:
        """Return the rule name and the merged fault that apply to `operation_id`."""
        if operation_id is not None and operation_id in self.operations:
            return operation_id, self.operations[operation_id].over(self.global_fault)
        return GLOBAL_RULE, self.global_fault


# ---------------------------------------------------------------- parsing


def parse_fault_config(data: object, known_operations: Collection[str] | None = None) -> FaultConfig:
    """Build a FaultConfig from a JSON or YAML document, or raise FaultConfigError when it is invalid."""
    if not isinstance(data, Mapping):
        raise FaultConfigError(["body"], "a fault document must be an object", data)
    _reject_unknown(data, {"seed", "global", "operations"}, ["body"])
    seed = _integer(data.get("seed", 0), ["body", "seed"], None, None)
    global_fault = parse_fault(data.get("global") or {}, ["body", "global"])
    operations_data = data.get("operations") or {}
    if not isinstance(operations_data, Mapping):
        raise FaultConfigError(
            ["body", "operations"], "operations must map operationIds to faults", operations_data
        )
    operations = {}
    for name, fault_data in operations_data.items():
        if known_operations is not None and name not in known_operations:
            raise UnknownOperation(
                ["body", "operations", name], f"operation {name!r} not found in the spec", name
            )
        operations[str(name)] = parse_fault(fault_data or {}, ["body", "operations", name])
    return FaultConfig(seed=seed, global_fault=global_fault, operations=operations)


def parse_fault(data: object, location: list[str | int]) -> Fault:
    """Build one Fault from its JSON object."""
    if not isinstance(data, Mapping):
        raise FaultConfigError(location, "a fault must be an object", data)
    _reject_unknown(data, set(FAULT_FIELDS), location)
    return Fault(
        latency_ms=_latency(data.get("latency_ms"), [*location, "latency_ms"]),
        error_rate=_rate(data.get("error_rate"), [*location, "error_rate"]),
        error_status=_optional_integer(data.get("error_status"), [*location, "error_status"], 400, 599),
        drop_rate=_rate(data.get("drop_rate"), [*location, "drop_rate"]),
        spend_unavailable=_flag(data.get("spend_unavailable"), [*location, "spend_unavailable"]),
        health_degraded=_flag(data.get("health_degraded"), [*location, "health_degraded"]),
    )


def _reject_unknown(data: Mapping[Any, Any], allowed: set[str], location: list[str | int]) -> None:
    for name in data:
        if name not in allowed:
            expected = ", ".join(sorted(allowed))
            raise FaultConfigError(
                [*location, str(name)], f"unknown field {name!r}: use one of {expected}", name
            )


def _integer(value: object, location: list[str | int], low: int | None, high: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or value != int(value):
        raise FaultConfigError(location, f"invalid value {value!r}: use a whole number", value)
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        raise FaultConfigError(location, f"invalid value {number}: use a number from {low} to {high}", value)
    return number


def _optional_integer(value: object, location: list[str | int], low: int, high: int) -> int | None:
    return None if value is None else _integer(value, location, low, high)


def _latency(value: object, location: list[str | int]) -> tuple[int, int] | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise FaultConfigError(location, f"invalid range {value!r}: use [min, max] in ms", value)
        low = _integer(value[0], [*location, 0], 0, MAX_LATENCY_MS)
        high = _integer(value[1], [*location, 1], 0, MAX_LATENCY_MS)
        if high < low:
            message = (
                f"invalid range {low}-{high} ms: the range is reversed, "
                f"write the smaller number first ({high}-{low})"
            )
            raise FaultConfigError([*location, 1], message, value)
        return low, high
    fixed = _integer(value, location, 0, MAX_LATENCY_MS)
    return fixed, fixed


def _rate(value: object, location: list[str | int]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise FaultConfigError(
            location, f"invalid rate {value!r}: use a number from 0 to 1, such as 0.3", value
        )
    # A rate is a probability, not money, so a float is the right type here.
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise FaultConfigError(
            location, f"invalid rate {value!r}: use a number from 0 to 1, such as 0.3", value
        )
    return rate


def _flag(value: object, location: list[str | int]) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise FaultConfigError(location, f"invalid value {value!r}: use true or false", value)


def parse_fault_spec(text: str) -> tuple[str | None, dict[str, Any]]:
    """Split a `--fault` value into its operationId (or None) and its fault fields."""
    operation, _, body = text.rpartition(":")
    fields_data: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in body.split(","))):
        name, has_value, raw = item.partition("=")
        fields_data[name.strip()] = _spec_value(name.strip(), raw.strip()) if has_value else True
    if not fields_data:
        raise FaultConfigError(["fault"], f"invalid fault {text!r}: name a field, e.g. error_rate=0.3", text)
    return (operation.strip() or None), fields_data


def _spec_value(name: str, raw: str) -> object:
    if name == "latency_ms" and "-" in raw:
        low, _, high = raw.partition("-")
        return [_number(low, name), _number(high, name)]
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    return _number(raw, name)


def _number(raw: str, name: str) -> int | Decimal:
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return Decimal(raw)
    except ArithmeticError:
        raise FaultConfigError(
            ["fault", name], f"invalid value {raw!r} for {name}: use a number", raw
        ) from None


def build_fault_config(
    file: Path | None,
    specs: Iterable[str],
    seed: int | None,
    known_operations: Collection[str] | None = None,
) -> FaultConfig:
    """Combine a fault file, `--fault` specs (applied after the file) and `--seed` (wins over both).

    Each source is checked on its own first, so an error names the option or
    file it came from, not a location inside the merged document.
    """
    document: dict[str, Any] = load_fault_file(file) if file is not None else {}
    if file is not None:
        with _blamed_on(f"--faults-file {file}", name_field=False):
            parse_fault_config(document, known_operations)
    operations: dict[str, Any] = dict(document.get("operations") or {})
    global_fields: dict[str, Any] = dict(document.get("global") or {})
    for text in specs:
        with _blamed_on(f"--fault {text!r}", name_field=True):
            operation, fault_fields = parse_fault_spec(text)
            single = (
                {"global": fault_fields} if operation is None else {"operations": {operation: fault_fields}}
            )
            parse_fault_config(single, known_operations)
        if operation is None:
            global_fields.update(fault_fields)
        else:
            operations[operation] = {**(operations.get(operation) or {}), **fault_fields}
    document = {**document, "global": global_fields, "operations": operations}
    if seed is not None:
        document["seed"] = seed
    return parse_fault_config(document, known_operations)


@contextmanager
def _blamed_on(source: str, *, name_field: bool) -> Iterator[None]:
    """Re-raise a FaultConfigError located at `source` instead of inside the request-shaped document.

    A file error keeps its path inside the file (`global.latency_ms`); a `--fault`
    error names only the field, because the user never wrote `global` or `operations`.
    """
    try:
        yield
    except FaultConfigError as error:
        inner = [part for part in error.location if isinstance(part, str) and part not in ("body", "fault")]
        fault_fields = [part for part in inner if part in FAULT_FIELDS]
        if name_field:
            where = f"{source}, field {fault_fields[-1]}" if fault_fields else source
        else:
            where = f"{source} at {'.'.join(inner)}" if inner else source
        raise type(error)([where], error.message, error.value) from None


def load_fault_file(path: Path) -> dict[str, Any]:
    """Read a YAML or JSON fault document (YAML is a superset of JSON)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FaultConfigError(
            ["file"], f"cannot read fault file {str(path)!r}: {error}", str(path)
        ) from None
    if not isinstance(data, dict):
        raise FaultConfigError(["file"], f"fault file {str(path)!r} must hold an object", str(path))
    return data


# ---------------------------------------------------------------- decisions


@dataclass(frozen=True)
class FaultDecision:
    """The faults drawn for one request."""

    operation_id: str | None
    latency_seconds: float = 0.0
    error_status: int | None = None
    drop: bool = False


class FaultController:
    """The faults in force on one mock, with one seeded random generator per rule."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self._config = FaultConfig()
        self._generators: dict[str, random.Random] = {}
        self._logged_active = False
        self.set(config or FaultConfig())

    @property
    def config(self) -> FaultConfig:
        return self._config

    @property
    def is_active(self) -> bool:
        """True when any rule is set; the middleware skips route matching otherwise."""
        config = self._config
        return not config.global_fault.is_empty() or any(not f.is_empty() for f in config.operations.values())

    def set(self, config: FaultConfig) -> None:
        """Replace every fault and restart each rule's random sequence from the seed."""
        with self._lock:
            self._config = config
            self._generators = {}
        # An empty set at start-up is the normal case, not news; a change to or from faults is.
        if self.is_active or self._logged_active:
            logger.info("faults set: %s", json.dumps(config.to_json(), sort_keys=True))
        self._logged_active = self.is_active

    def clear(self) -> None:
        self.set(FaultConfig())

    def decide(self, operation_id: str | None) -> FaultDecision:
        """Draw the faults for one request to `operation_id` (None for an unknown route)."""
        with self._lock:
            name, fault = self._config.rule_for(operation_id)
            generator = self._generator(name)
            drop = _happens(fault.drop_rate or 0.0, generator)
            error = _happens(fault.error_probability, generator)
            latency = _latency_seconds(fault.latency_ms, generator)
        status = (fault.error_status or 500) if error and not drop else None
        return FaultDecision(operation_id, latency, status, drop)

    def spend_unavailable(self, operation_id: str) -> bool:
        return bool(self._config.rule_for(operation_id)[1].spend_unavailable)

    def spend_available(self) -> bool:
        """Return False while any spend read is faulted, so threshold events wait for real figures."""
        return not any(self.spend_unavailable(name) for name in SPEND_OPERATIONS)

    def health_degraded(self) -> bool:
        return bool(self._config.rule_for("getHealth")[1].health_degraded)

    def _generator(self, name: str) -> random.Random:
        if name not in self._generators:
            # A string seed is hashed with SHA-512, so the sequence is the same in every process.
            self._generators[name] = random.Random(f"{self._config.seed}:{name}")
        return self._generators[name]


def _happens(probability: float, generator: random.Random) -> bool:
    if probability <= 0.0:
        return False
    return generator.random() < probability


def _latency_seconds(latency_ms: tuple[int, int] | None, generator: random.Random) -> float:
    if latency_ms is None:
        return 0.0
    low, high = latency_ms
    milliseconds = low if low == high else generator.randint(low, high)
    return milliseconds / 1000


# ---------------------------------------------------------------- middleware


OperationResolver = Callable[[Scope], "str | None"]


class FaultMiddleware:
    """Apply latency, error and dropped-connection faults before a request reaches its route.

    A dropped connection sends the start of a response and then raises
    `ConnectionDropped`. Behind uvicorn the client sees the connection close
    before the body (httpx raises `RemoteProtocolError`). The drop is logged as
    one WARNING by this middleware, and a filter keeps uvicorn from logging its
    traceback. In-process clients (TestClient, httpx.ASGITransport) re-raise it.
    The status line and headers do go out first, because ASGI gives the app no
    handle on the socket and uvicorn sends a 500 for an app that fails before
    `http.response.start`. So only a started response can end in a bare close.
    """

    def __init__(
        self, app: ASGIApp, controller: FaultController, resolve_operation: OperationResolver
    ) -> None:
        self.app = app
        self.controller = controller
        self.resolve_operation = resolve_operation
        # addFilter ignores a filter that is already installed, so several apps share one.
        logging.getLogger(SERVER_ERROR_LOGGER).addFilter(is_not_dropped_connection)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.controller.is_active or _is_control_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        decision = self.controller.decide(self.resolve_operation(scope))
        if decision.latency_seconds:
            await asyncio.sleep(decision.latency_seconds)
        if decision.drop:
            await _drop(decision, send)
        if decision.error_status is not None:
            await _send_error(decision, send)
            return
        await self.app(scope, receive, send)


def _is_control_path(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


async def _drop(decision: FaultDecision, send: Send) -> None:
    logger.warning("fault: dropping the connection of a %s request", decision.operation_id or "unrouted")
    # The declared length is never sent, so the client cannot mistake this for a complete response.
    start: Message = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]}
    await send(start)
    raise ConnectionDropped(
        f"fault injection dropped the connection of {decision.operation_id or 'a request'}"
    )


async def _send_error(decision: FaultDecision, send: Send) -> None:
    operation = decision.operation_id or "this request"
    body = json.dumps({"detail": f"injected fault: status {decision.error_status} for {operation}"}).encode()
    logger.info("fault: responding to %s with status %s", operation, decision.error_status)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": decision.error_status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
