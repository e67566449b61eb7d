"""The KMS contract as package data, and a small API to read it.

The YAML files travel inside the installed package and are found through
``importlib.resources``, not through a path relative to the working directory.
So the mock, the suite and the reports load the same contract from a source
checkout, an editable install or a wheel. Each file is parsed once, and callers
get deep copies, so no caller can change what another one sees.
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
import pathlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

__all__ = [
    "CONTROL_SPEC_PATH",
    "HTTP_METHODS",
    "Operation",
    "SPEC_PATH",
    "SpecError",
    "load_control_spec",
    "load_spec",
    "operations",
    "view",
]

_PACKAGE_FILES = importlib.resources.files(__name__)
SPEC_PATH = pathlib.Path(str(_PACKAGE_FILES.joinpath("kms.openapi.yaml")))
CONTROL_SPEC_PATH = pathlib.Path(str(_PACKAGE_FILES.joinpath("mock-control.openapi.yaml")))

# Path-item keys that contain operations (OpenAPI 3.1, section 4.8.9).
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class SpecError(ValueError):
    """Error for a contract document that misses a part this module reads."""


@dataclass(frozen=True)
class Operation:
    """One operation of the contract with its KMS annotations."""

    operation_id: str
    method: str
    path: str
    availability: str
    priority: str | None
    workaround: Mapping[str, Mapping[str, str]] | None


@functools.cache
def _parsed(path: pathlib.Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as stream:
        document = yaml.safe_load(stream)
    if not isinstance(document, dict):
        raise SpecError(f"{path.name} has no mapping at its top level. Expected an OpenAPI document.")
    return document


def load_spec() -> dict[str, Any]:
    """Return a private copy of the extended KMS contract."""
    return copy.deepcopy(_parsed(SPEC_PATH))


def load_control_spec() -> dict[str, Any]:
    """Return a private copy of the mock's /_mock/ control API contract."""
    return copy.deepcopy(_parsed(CONTROL_SPEC_PATH))


def view(document: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Return the document as seen by one profile: "extended" (all) or "live"."""
    if name == "extended":
        return copy.deepcopy(dict(document))
    if name != "live":
        raise SpecError(f"unknown view {name!r}. Use 'extended' or 'live'.")
    result = copy.deepcopy(dict(document))
    result["paths"] = _live_paths(result.get("paths", {}))
    return result


def _live_paths(paths: Mapping[str, Any]) -> dict[str, Any]:
    live_paths: dict[str, Any] = {}
    for path, item in paths.items():
        live_item = {
            key: value
            for key, value in item.items()
            if key not in HTTP_METHODS or value.get("x-kms-availability") == "live"
        }
        # A path item left with only shared parameters serves nothing, so it is dropped.
        if any(key in HTTP_METHODS for key in live_item):
            live_paths[path] = live_item
    return live_paths


def operations(document: Mapping[str, Any]) -> list[Operation]:
    """List the operations under ``paths`` in document order."""
    found = []
    for path, item in document.get("paths", {}).items():
        for method, body in item.items():
            if method in HTTP_METHODS:
                found.append(_operation(path, method, body))
    return found


def _operation(path: str, method: str, body: Mapping[str, Any]) -> Operation:
    label = f"{method.upper()} {path}"
    if "operationId" not in body:
        raise SpecError(
            f"{label} has no operationId. Add one, because the mock and the suite look operations up by it."
        )
    if "x-kms-availability" not in body:
        raise SpecError(f"{label} has no x-kms-availability. Add live, proposed or suggested.")
    return Operation(
        operation_id=body["operationId"],
        method=method.upper(),
        path=path,
        availability=body["x-kms-availability"],
        priority=body.get("x-kms-priority"),
        workaround=body.get("x-kms-workaround"),
    )
