"""Errors of the contract suite, and the one table that maps them to exit codes.

Contract violations are data in the results, never exceptions. The exceptions
here mean the tool itself could not do its job: the user asked for something
invalid, or the target could not be tested at all.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of `kms-contract`; CI pipelines depend on these numbers."""

    HOLDS = 0
    VIOLATIONS = 1
    USAGE = 2
    GAPS_ONLY = 3
    COULD_NOT_RUN = 4


class ContractSuiteError(Exception):
    """Root of every error the suite raises on purpose."""

    exit_code: ExitCode = ExitCode.COULD_NOT_RUN


class UsageError(ContractSuiteError):
    """An option or value given by the user is invalid."""

    exit_code = ExitCode.USAGE


class TargetUnreachable(ContractSuiteError):
    """The target did not respond, so nothing could be tested."""


class NotAKms(ContractSuiteError):
    """Error for a target that responds, but not as a KMS, so testing it would only report noise.

    `finding` is "not_json" (a KMS read returned no JSON) or "no_kms_paths" (the target's
    /openapi.json lists none of the contract's paths). `answer` is the status and content type.
    """

    def __init__(self, base_url: str, probed: str, finding: str, answer: str) -> None:
        super().__init__(
            f"{base_url} does not look like a KMS: {probed} got {answer} ({finding}); "
            "check that --url names the KMS's base URL"
        )
        self.base_url = base_url
        self.probed = probed
        self.finding = finding
        self.answer = answer


class SpecUnavailable(ContractSuiteError):
    """The contract could not be loaded, so nothing could be tested."""


class UnsafeRequest(ContractSuiteError):
    """A write was about to reach a target where writes are not allowed."""


def exit_code_for(error: BaseException) -> ExitCode:
    """Map an exception that ended a run to the exit code the CLI returns."""
    if isinstance(error, ContractSuiteError):
        return error.exit_code
    return ExitCode.COULD_NOT_RUN
