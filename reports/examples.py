"""Regenerate the committed sample report under reports/examples/.

Run ``python -m reports.examples [OUT_DIR]``. The sample is the contract suite's
extended view run in-process against the mock's ``live`` profile: the picture a
KMS team lead gets from today's KMS. Seed, run prefix and the recorded clock are
fixed, so a test can regenerate the sample and compare it byte for byte with the
committed files.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from reports.compare import compare_documents
from reports.render import render

logger = logging.getLogger("kms_contract")

DEFAULT_OUT_DIR = Path(__file__).resolve().parent / "examples"
SEED = 20261204
MAX_EXAMPLES = 25
RUN_PREFIX = "kmsct-example"
# The run's own clock would make every regeneration differ; the sample records these instead.
STARTED_AT = "2026-12-04T20:00:00Z"
FINISHED_AT = "2026-12-04T20:01:00Z"


def example_results() -> dict[str, Any]:
    """Run the suite against the in-process live-profile mock and return its results dictionary."""
    import spec
    from contract_tests.runner import RunConfig, run
    from mock_server.app import create_app
    from mock_server.config import MockSettings

    app = create_app(MockSettings(profile="live", strict=True, seed=SEED))
    config = RunConfig(
        view="extended",
        allow_writes=True,
        max_examples=MAX_EXAMPLES,
        seed=SEED,
        app=app,
        run_prefix=RUN_PREFIX,
        stateful=True,
    )
    run_results = run(config)
    results = run_results.to_dict()
    results["run"]["started_at"] = STARTED_AT
    results["run"]["finished_at"] = FINISHED_AT
    results["spec_comparison"] = None
    if run_results.target_document is not None:
        results["spec_comparison"] = {
            "source": "/openapi.json of the in-process mock, live profile",
            "differences": compare_documents(spec.load_spec(), run_results.target_document),
        }
    return results


def regenerate(out_dir: Path = DEFAULT_OUT_DIR) -> list[Path]:
    """Write the sample report files into out_dir and return their paths."""
    return render(example_results(), out_dir)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m reports.examples``."""
    parser = argparse.ArgumentParser(
        prog="python -m reports.examples",
        description="Regenerate the sample gap report (English, Chinese, HTML, results.json). "
        "重新生成示例差距报告（英文、中文、HTML 和 results.json）。",
    )
    parser.add_argument(
        "out_dir",
        nargs="?",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help="folder to write into / 输出目录 (default: reports/examples)",
    )
    out_dir: Path = parser.parse_args(argv).out_dir
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for path in regenerate(out_dir):
        logger.info("wrote %s", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
