"""Build the mock KMS application from the spec.

`create_app` reads the contract, keeps the operations of the chosen profile,
compiles their validators and binds each operationId to its handler. The same
machinery serves the `/_mock/` control API from its own spec. FastAPI wraps the
routes and contributes what the live KMS gets from it: `/openapi.json`,
`/docs`, the 404 and 405 responses for unknown routes, and the redirect that adds a
missing trailing slash.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

import spec
from mock_server import __version__
from mock_server.config import MockSettings
from mock_server.control import CONTROL_HANDLERS, CONTROL_PREFIX
from mock_server.extensions import Extension, default_extensions
from mock_server.fixtures import load_fixture_file
from mock_server.handlers import KMS_HANDLERS, WEBHOOK_ENDPOINTS_KEY, WEBHOOK_HANDLERS
from mock_server.operations import compile_operations
from mock_server.routing import EncodedSlashGuard, Handler, build_routes
from mock_server.runtime import MockRuntime
from mock_server.store import Store

logger = logging.getLogger("kms_mock")

LIVE_TITLE = "LiteLLM Key Management System (live subset)"
LIVE_DESCRIPTION = (
    "The live subset of the KMS contract: only the operations the live KMS serves today "
    "(`x-kms-availability: live`). Proposed and suggested operations are left out; "
    "start the mock with `--profile extended` to serve the whole contract."
)


def create_app(
    settings: MockSettings | None = None,
    *,
    store: Store | None = None,
    extensions: Sequence[Extension] | None = None,
) -> FastAPI:
    """Build a mock KMS for `settings`; pass `store` to share state between apps."""
    settings = settings or MockSettings()
    runtime = MockRuntime(settings=settings, store=store or open_store(settings))
    installed = list(default_extensions(settings) if extensions is None else extensions)
    document = served_document(settings.profile)

    app = FastAPI(
        title=document["info"]["title"],
        version=document["info"]["version"],
        lifespan=lifespan(runtime, installed, close_store=store is None),
    )
    # FastAPI regenerates its document from the routes; serve the contract itself instead.
    app.openapi = lambda: document  # type: ignore[method-assign]
    app.state.runtime = runtime
    add_baseline_webhook_state(runtime)
    add_kms_routes(app, document, runtime, installed)
    add_control_routes(app, runtime, installed)
    for extension in installed:
        if extension.install is not None:
            extension.install(app, runtime)
    # Added last, so it is the outermost middleware and every other one gets the guarded path.
    app.add_middleware(EncodedSlashGuard)
    return app


def open_store(settings: MockSettings) -> Store:
    """Open the store (with its state file, if any); load the start-up fixtures if it is empty."""
    if settings.fixtures is None:
        return Store(state_file=settings.state_file)
    # The file is read and checked first, even when it will be skipped, so a broken file
    # shows on every start and no state file is left open by the failure.
    document = load_fixture_file(settings.fixtures)
    store = Store(state_file=settings.state_file)
    # Fixtures seed an empty store only: a restart with the same command keeps the saved
    # state instead of failing on the organizations the first start created.
    if store.list_organizations():
        logger.info(
            "fixtures from %s skipped: the state file %s already contains data",
            settings.fixtures,
            settings.state_file,
        )
        return store
    counts = store.load_fixtures(document)
    logger.info("loaded fixtures from %s: %s", settings.fixtures, counts)
    return store


def add_baseline_webhook_state(runtime: MockRuntime) -> None:
    """Let reset and the state dump cover the baseline webhook handlers; extensions may replace both."""
    runtime.state_sections["webhooks"] = lambda: list(runtime.extras.get(WEBHOOK_ENDPOINTS_KEY, []))
    runtime.reset_hooks.append(lambda: runtime.extras.pop(WEBHOOK_ENDPOINTS_KEY, None))


def served_document(profile: str) -> dict[str, Any]:
    """Return the profile's view of the spec as plain JSON data, for `/openapi.json`."""
    document = spec.view(spec.load_spec(), profile)
    if profile == "live":
        document["info"] = live_info(document["info"])
    # YAML may hold dates and other non-JSON scalars; a round trip makes the document servable.
    return json.loads(json.dumps(document, default=str))  # type: ignore[no-any-return]


def live_info(info: Mapping[str, Any]) -> dict[str, Any]:
    """Retitle the info object so the live view does not present itself as the extended contract."""
    # The first paragraph of the spec's description introduces the extended contract; later ones still apply.
    later = str(info.get("description") or "").split("\n\n", 1)[1:]
    description = "\n\n".join([LIVE_DESCRIPTION, *later])
    return {**info, "title": LIVE_TITLE, "description": description}


def add_kms_routes(
    app: FastAPI, document: Mapping[str, Any], runtime: MockRuntime, extensions: Sequence[Extension]
) -> None:
    handlers: dict[str, Handler] = {**KMS_HANDLERS, **WEBHOOK_HANDLERS}
    for extension in extensions:
        handlers.update(extension.handlers)
    operations = compile_operations(document, with_responses=runtime.settings.strict)
    app.router.routes.extend(build_routes(operations, handlers, runtime))


def add_control_routes(app: FastAPI, runtime: MockRuntime, extensions: Sequence[Extension]) -> None:
    """Serve the control API operations that have a handler; the rest come with their extensions."""
    handlers: dict[str, Handler] = dict(CONTROL_HANDLERS)
    for extension in extensions:
        handlers.update(extension.control_handlers)
    operations = compile_operations(control_document(), with_responses=runtime.settings.strict)
    served = [operation for operation in operations if operation.operation_id in handlers]
    skipped = sorted(operation.operation_id for operation in operations if operation not in served)
    if skipped:
        logger.debug("control operations without a handler, not served: %s", ", ".join(skipped))
    app.router.routes.extend(build_routes(served, handlers, runtime))


def control_document() -> dict[str, Any]:
    """Load the control spec with every path under `/_mock/`, whether or not the file spells the prefix."""
    document = spec.load_control_spec()
    paths = document.get("paths") or {}
    document["paths"] = {prefixed(path): item for path, item in paths.items()}
    return document


def prefixed(path: str) -> str:
    return path if path.startswith(CONTROL_PREFIX) else CONTROL_PREFIX + path


def lifespan(runtime: MockRuntime, extensions: Sequence[Extension], *, close_store: bool) -> Any:
    """Start extensions when the server starts; stop them, then close a store this app opened."""

    @asynccontextmanager
    async def run(_app: FastAPI) -> AsyncIterator[None]:
        for extension in extensions:
            if extension.startup is not None:
                await extension.startup(runtime)
        logger.debug("mock KMS %s ready (profile %s)", __version__, runtime.settings.profile)
        try:
            yield
        finally:
            for extension in reversed(extensions):
                if extension.shutdown is not None:
                    await extension.shutdown(runtime)
            close = getattr(runtime.store, "close", None)
            if close_store and close is not None:
                close()

    return run
