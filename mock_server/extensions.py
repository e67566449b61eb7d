"""The registration point for components that plug into the mock's HTTP layer.

Webhooks and fault injection live in their own modules. Each offers an
`Extension`: handlers that replace or add operations (by operationId), handlers
for the `/_mock/` control API, and hooks that run when the app is built, starts
and stops. `create_app` calls every factory in `EXTENSION_FACTORIES`, so wiring
a component in is one line here, and the HTTP layer never imports it directly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from fastapi import FastAPI

from mock_server.config import MockSettings
from mock_server.routing import Handler
from mock_server.runtime import MockRuntime

Hook = Callable[[MockRuntime], Awaitable[None]]


@dataclass(frozen=True)
class Extension:
    """Handlers and hooks that one component adds to the mock."""

    name: str
    # KMS operations this component serves, by operationId; they replace the baseline handlers.
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    # Operations of the control API (spec/mock-control.openapi.yaml), by operationId.
    control_handlers: Mapping[str, Handler] = field(default_factory=dict)
    # Called once while the app is built, e.g. to add a middleware or fill a runtime slot.
    install: Callable[[FastAPI, MockRuntime], None] | None = None
    # Awaited when the server starts and, in reverse order of extensions, when it stops.
    startup: Hook | None = None
    shutdown: Hook | None = None


ExtensionFactory = Callable[[MockSettings], Extension]

# Add a component's factory here to wire it into every app `create_app` builds.
EXTENSION_FACTORIES: list[ExtensionFactory] = []


def default_extensions(settings: MockSettings) -> list[Extension]:
    """Build the built-in and the registered extensions for one app."""
    return [factory(settings) for factory in [*builtin_factories(), *EXTENSION_FACTORIES]]


def builtin_factories() -> list[ExtensionFactory]:
    """Return the factories of the built-in fault and webhook extensions."""
    # Imported here because both modules import `Extension` from this one, so a top-level import is circular.
    from mock_server.control_faults import fault_extension
    from mock_server.control_webhooks import webhook_extension

    return [fault_extension, webhook_extension]
