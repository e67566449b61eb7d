"""The live parts of one mock, shared by every request through `app.state.runtime`.

It is a dataclass with optional slots rather than module globals. Each
`create_app` call gets its own store and helpers, so tests can run several mocks
in one process. The webhook and fault modules attach themselves without the
HTTP layer importing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mock_server.config import MockSettings

if TYPE_CHECKING:
    from mock_server.store import Store


@dataclass
class MockRuntime:
    """Settings, store and optional event, delivery and fault components of one mock."""

    settings: MockSettings
    store: Store
    # Filled by the webhook and fault modules when they are installed.
    events: Any = None
    dispatcher: Any = None
    faults: Any = None
    # Free slots for extensions that need to keep state of their own.
    extras: dict[str, Any] = field(default_factory=dict)
    # Called by POST /_mock/reset after the store is emptied, to clear extension state too.
    reset_hooks: list[Callable[[], None]] = field(default_factory=list)
    # Extra top-level sections of GET /_mock/state, such as "webhooks", by name.
    state_sections: dict[str, Callable[[], Any]] = field(default_factory=dict)

    def reset(self) -> None:
        """Empty the store and every extension's state."""
        self.store.reset()
        for hook in self.reset_hooks:
            hook()

    def dump(self) -> dict[str, Any]:
        """Return the store's dump plus every extension's section."""
        state: dict[str, Any] = dict(self.store.dump())
        for name, section in self.state_sections.items():
            state[name] = section()
        return state
