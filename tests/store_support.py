"""Deterministic clock and id factory for store tests."""

from __future__ import annotations

import itertools
import threading
from datetime import datetime, timedelta, timezone

START = datetime(2026, 12, 4, 20, 0, tzinfo=timezone.utc)


class StepClock:
    """A clock that moves one millisecond forward on every reading."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.now += timedelta(milliseconds=1)
            return self.now


class CountingIds:
    """An id factory giving `key_id-1`, `l_team_id-2`, ... so ids are predictable."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def __call__(self, kind: str) -> str:
        with self._lock:
            number = next(self._counter)
        if kind == "litellm_key":
            return f"sk-test-{number}"
        return f"{kind}-{number}"
