"""The fault extension: the fault middleware, `/_mock/faults` and the faulted handlers.

Latency, error and dropped-connection faults act in `FaultMiddleware`, before
routing. Spend-unavailable and health-degraded faults change what a handler
returns, so this module wraps the baseline spend and health handlers. A spend
read keeps its quota and returns the `"-1.0"` sentinel, and `/health` returns
503 "degraded".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping
from decimal import Decimal

from fastapi import FastAPI
from starlette.types import Scope

import spec
from mock_server import __version__
from mock_server.config import MockSettings
from mock_server.errors import Invalid, NotFound
from mock_server.extensions import Extension
from mock_server.faults import (
    SPEND_OPERATIONS,
    FaultConfigError,
    FaultController,
    FaultMiddleware,
    UnknownOperation,
    build_fault_config,
    parse_fault_config,
)
from mock_server.handlers import KMS_HANDLERS
from mock_server.models import Spend
from mock_server.quoting import quote_id
from mock_server.request_parsing import Call
from mock_server.routing import Handler, Reply, operation_id_for
from mock_server.runtime import MockRuntime

logger = logging.getLogger("kms_mock")


def known_operation_ids() -> frozenset[str]:
    return frozenset(operation.operation_id for operation in spec.operations(spec.load_spec()))


def fault_extension(settings: MockSettings) -> Extension:
    """Build the fault extension, with start-up faults from --faults-file, --fault and --seed."""
    specs = getattr(settings, "faults", ())
    initial = build_fault_config(settings.fault_file, specs, settings.seed, known_operation_ids())
    controller = FaultController(initial)
    handlers: dict[str, Handler] = {
        name: spend_handler(KMS_HANDLERS[name], name) for name in SPEND_OPERATIONS
    }
    handlers["getHealth"] = health_handler(KMS_HANDLERS["getHealth"])

    def install(app: FastAPI, runtime: MockRuntime) -> None:
        runtime.faults = controller
        runtime.reset_hooks.append(controller.clear)

        def resolve_operation(scope: Scope) -> str | None:
            return operation_id_for(app.router.routes, scope)

        app.add_middleware(FaultMiddleware, controller=controller, resolve_operation=resolve_operation)

    return Extension(name="faults", handlers=handlers, control_handlers=CONTROL_HANDLERS, install=install)


def spend_handler(baseline: Handler, operation_id: str) -> Handler:
    """Wrap a spend read so that the spend-unavailable fault turns it into the `"-1.0"` sentinel."""

    def handler(call: Call) -> Reply:
        reply = baseline(call)
        if not isinstance(reply, Reply):
            raise TypeError(f"the baseline {operation_id} handler returned {reply!r}: it must be synchronous")
        if reply.status != 200 or not call.runtime.faults.spend_unavailable(operation_id):
            return reply
        sentinel = Spend.unavailable(Decimal(reply.body["quota"]))
        return Reply(200, sentinel.to_json(), reply.headers)

    return handler


def health_handler(baseline: Handler) -> Handler:
    """Wrap GET /health so that the health-degraded fault returns 503 with the same shape."""

    def handler(call: Call) -> Reply | Awaitable[Reply]:
        if not call.runtime.faults.health_degraded():
            return baseline(call)
        checks = {
            "litellm": {"status": "down", "detail": "the health_degraded fault is active"},
            "store": {"status": "ok"},
        }
        return Reply(503, {"status": "degraded", "version": __version__, "checks": checks})

    return handler


# ---------------------------------------------------------------- /_mock/faults


def get_faults(call: Call) -> Reply:
    return Reply(200, call.runtime.faults.config.to_json())


def set_faults(call: Call) -> Reply:
    """Replace every fault. An unknown operationId gets a 404, any other invalid value a 422."""
    try:
        config = parse_fault_config(call.body, known_operation_ids())
    except UnknownOperation as error:
        raise NotFound(f"Operation {quote_id(error.value)} not found in the spec") from None
    except FaultConfigError as error:
        raise Invalid(error.location, error.message, error.value) from None
    call.runtime.faults.set(config)
    return Reply(200, config.to_json())


def clear_faults(call: Call) -> Reply:
    call.runtime.faults.clear()
    return Reply(204)


CONTROL_HANDLERS: Mapping[str, Handler] = {
    "getFaults": get_faults,
    "setFaults": set_faults,
    "clearFaults": clear_faults,
}
