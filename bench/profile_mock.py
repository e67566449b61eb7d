"""Profile kms-mock under wrk load with py-spy and print where the time goes.

Usage: python bench/profile_mock.py [--seconds N] [--out DIR]

Starts the mock pinned to CPU 0, seeds it as bench/run.py does, then for each
benchmarked request runs wrk at concurrency 16 on CPU 1 while py-spy samples
the mock. The collapsed stacks go to DIR/profile-NAME.txt, which any
flame-graph tool opens. The summary lists the frames with the largest share of
samples, inclusive and self, with paths shortened to the package.
py-spy comes with the bench extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import seed
import servers
from load import RequestSpec, require_wrk
from run import FULL, REQUESTS

SAMPLE_RATE_HZ = 250
TOP_FRAMES = 30
# The profiled wrk run gets this many seconds on top of the sampled ones to finish.
GRACE_S = 30
FRAME_LOCATION = re.compile(r" \((?P<file>[^:]*):(?P<line>\d+)\)$")


def short_frame(frame: str) -> str:
    """Cut a frame to its function and package-relative file, dropping the line.

    Without the line, the calls of one function from several lines count as one
    frame, so the inclusive ranking shows each function once.
    """
    match = FRAME_LOCATION.search(frame)
    if match is None:
        return frame
    path = match["file"]
    stdlib = f"python{sys.version_info.major}.{sys.version_info.minor}/"
    for marker in ("site-packages/", stdlib, str(servers.REPO_DIR) + "/"):
        path = path.split(marker)[-1]
    return f"{frame[:match.start()]} ({path})"


def summarise(collapsed: Path) -> str:
    """Rank frames of a py-spy raw (collapsed) file by inclusive and by self samples."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        frames = [short_frame(frame) for frame in stack.split(";")]
        total += count
        own[frames[-1]] += count
        inclusive.update(dict.fromkeys(set(frames), count))
    lines = [f"{total} samples", "", "inclusive:"]
    lines += [f"{100 * count / total:5.1f}%  {frame}" for frame, count in inclusive.most_common(TOP_FRAMES)]
    lines += ["", "self:"]
    lines += [f"{100 * count / total:5.1f}%  {frame}" for frame, count in own.most_common(TOP_FRAMES)]
    return "\n".join(lines)


def profile_request(server: servers.RunningServer, request: RequestSpec, seconds: int, output: Path) -> None:
    spy = subprocess.Popen(
        [
            py_spy(), "record", "--pid", str(server.process.pid), "--duration", str(seconds),
            "--rate", str(SAMPLE_RATE_HZ), "--format", "raw", "--nonblocking", "--output", str(output),
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    # py-spy needs a moment to attach; the load runs one second longer than the sampling.
    time.sleep(0.5)
    argv = [require_wrk(), "-t1", "-c16", f"-d{seconds + 1}s"]
    argv += ["-s", str(servers.BENCH_DIR / "wrk_report.lua"), server.base_url + request.path]
    if request.body is not None:
        argv += ["--", request.method, request.body]
    subprocess.run(FULL.load.command(argv), capture_output=True, timeout=seconds + GRACE_S, check=True)
    spy.wait(timeout=GRACE_S)


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise SystemExit("py-spy is not installed: run pip install -e '.[bench]'")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="sampling time per request, in seconds")
    parser.add_argument("--out", type=Path, default=servers.BENCH_DIR / "out", help="output folder")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)

    with servers.started(servers.mock_command(), FULL.server, options.out) as server:
        seed.seed_organization(server.base_url, seed.BENCH_ORGANIZATION, 100)
        for request in REQUESTS:
            output = options.out / f"profile-{request.method.lower()}.txt"
            profile_request(server, request, options.seconds, output)
            print(f"== {request.label}: {output}\n{summarise(output)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
