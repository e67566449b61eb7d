"""Measure how busy the machine is before a measurement, and wait for it to calm down.

On a 2-core machine one other busy process on the server's core halves what
the pinned server can do, so every round records the CPU use it started from.
The benchmark waits, within a bounded time, for the machine to fall below a
busy threshold, and reports the figure either way rather than dropping or
hiding a noisy round.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

PROC_STAT = Path("/proc/stat")
SAMPLE_S = 1.0
# Share of all CPU time in use by other processes above which a round is delayed.
BUSY_THRESHOLD = 0.15

logger = logging.getLogger("bench")


def cpu_times() -> tuple[int, int]:
    """Return (idle, total) jiffies over all CPUs since boot, from /proc/stat."""
    fields = PROC_STAT.read_text().splitlines()[0].split()[1:]
    values = [int(value) for value in fields]
    # Columns 4 and 5 are idle and iowait; guest time is already counted in user.
    idle = values[3] + values[4]
    total = sum(values[:8])
    return idle, total


def busy_fraction(sample_s: float = SAMPLE_S) -> float:
    """Return the share of CPU time in use over the next `sample_s` seconds (0.0 to 1.0)."""
    idle_before, total_before = cpu_times()
    time.sleep(sample_s)
    idle_after, total_after = cpu_times()
    elapsed = total_after - total_before
    if elapsed <= 0:
        return 0.0
    return 1.0 - (idle_after - idle_before) / elapsed


def wait_for_quiet(max_wait_s: float) -> float:
    """Sample until CPU use is below BUSY_THRESHOLD or `max_wait_s` has passed; return the last sample."""
    deadline = time.monotonic() + max_wait_s
    busy = busy_fraction()
    if busy > BUSY_THRESHOLD and max_wait_s > 0:
        logger.info("machine %.0f%% busy with other work; waiting up to %.0f s", busy * 100, max_wait_s)
    while busy > BUSY_THRESHOLD and time.monotonic() < deadline:
        busy = busy_fraction()
    if busy > BUSY_THRESHOLD and max_wait_s > 0:
        logger.warning("machine still %.0f%% busy after %.0f s; measuring anyway", busy * 100, max_wait_s)
    return busy
