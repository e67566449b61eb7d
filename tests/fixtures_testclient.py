"""Starlette's TestClient, imported without failing the run on its httpx deprecation.

Starlette 1.x warns at import time that its TestClient should run on httpx2;
this project depends on httpx, and the warnings-as-errors setting would turn
that notice into a collection error. The filter below covers that one warning
only, during this one import.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.testclient import TestClient

__all__ = ["TestClient"]
