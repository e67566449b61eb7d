"""The KMS contract suite: schemathesis and KMS-specific checks against a mock or a real server.

`run(RunConfig(...))` is the library entry point; `kms-contract` (contract_tests.cli)
and `pytest contract_tests` are the two ways to call it from outside.
"""

from contract_tests.errors import ExitCode
from contract_tests.results import RunResults
from contract_tests.runner import RunConfig, run

__all__ = ["ExitCode", "RunConfig", "RunResults", "run"]
