"""pytest plugin for `pytest --pyargs contract_tests`: the same suite as `kms-contract run`, as pytest tests.

Installed as the `pytest11` entry point `kms_contract`, so the options exist after a regular
(non-editable) install, where no conftest.py sits beside the tests. pytest loads the plugin in
every session of an environment that has the project installed, so this module imports only
pytest at load time and leaves the tests of other modules alone.

The suite runs once per session, because it is one property-based run over the whole contract.
Each operation and scenario then becomes its own test, so pytest's report and exit status show
which ones conform.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from contract_tests.results import RunResults
    from contract_tests.runner import RunConfig

CONTRACT_TEST_MODULE = "contract_tests.test_contract"
VIEWS = ("extended", "live")
DEFAULT_MAX_EXAMPLES = 25


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kms-contract", "KMS contract suite")
    group.addoption(
        "--kms-url", default=None, help="Base URL of the KMS to test; default: the in-process mock."
    )
    group.addoption("--kms-view", default="extended", choices=VIEWS, help="Contract view: extended or live.")
    group.addoption(
        "--kms-allow-writes", action="store_true", help="Allow writes against a non-loopback URL."
    )
    group.addoption(
        "--kms-max-examples",
        type=int,
        default=DEFAULT_MAX_EXAMPLES,
        help="Generated requests per operation and mode.",
    )
    group.addoption("--kms-seed", type=int, default=None, help="Random seed for reproducible runs.")
    group.addoption(
        "--kms-header",
        action="append",
        default=[],
        metavar="NAME:VALUE",
        help="Header sent with every request (repeatable), e.g. credentials; masked as *** in curls.",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Only the contract's own tests: other projects' tests may use the same fixture names.
    if metafunc.module.__name__ != CONTRACT_TEST_MODULE:
        return
    import spec
    from contract_tests.scenarios import SCENARIOS

    if "operation_id" in metafunc.fixturenames:
        view = metafunc.config.getoption("--kms-view")
        ids = [operation.operation_id for operation in spec.operations(spec.view(spec.load_spec(), view))]
        metafunc.parametrize("operation_id", ids)
    if "scenario_name" in metafunc.fixturenames:
        metafunc.parametrize("scenario_name", [scenario.__name__ for scenario in SCENARIOS])


@pytest.fixture(scope="session")
def contract_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> RunResults:
    """Run the suite once with the command-line options."""
    from hypothesis.configuration import set_hypothesis_home_dir

    from contract_tests.runner import run

    # hypothesis caches data in a .hypothesis folder; keep it out of the folder pytest runs in.
    set_hypothesis_home_dir(tmp_path_factory.mktemp("hypothesis"))
    return run(config_from_options(request.config.getoption))


def config_from_options(option: Callable[[str], Any]) -> RunConfig:
    """Build the run configuration from the `--kms-*` options; a malformed header is a usage error."""
    from contract_tests.cli import parse_headers
    from contract_tests.errors import UsageError
    from contract_tests.runner import RunConfig

    try:
        headers = parse_headers(option("--kms-header") or [], "en")
    except UsageError as error:
        raise pytest.UsageError(str(error).replace("--header", "--kms-header")) from error
    return RunConfig(
        url=option("--kms-url"),
        view=option("--kms-view"),
        allow_writes=option("--kms-allow-writes"),
        max_examples=option("--kms-max-examples"),
        seed=option("--kms-seed"),
        headers=headers,
    )
