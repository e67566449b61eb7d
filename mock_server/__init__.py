"""A local mock of the KMS, driven by the contract in the `spec` package.

`create_app(settings)` builds the FastAPI application; `kms-mock` serves it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["MockSettings", "__version__", "create_app"]

if TYPE_CHECKING:
    from mock_server.app import create_app
    from mock_server.config import MockSettings


def __getattr__(name: str) -> Any:
    # Imported on first use, so `import mock_server` stays cheap for the CLI's --help.
    if name == "create_app":
        from mock_server.app import create_app

        return create_app
    if name == "MockSettings":
        from mock_server.config import MockSettings

        return MockSettings
    raise AttributeError(f"module 'mock_server' has no attribute {name!r}")
