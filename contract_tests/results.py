"""The results model of one contract run and its JSON form (schema version 1).

The JSON form is the interface to the report renderer and to CI, so field
names follow the documented results.json exactly. Everything the runner
learns ends up here; the CLI and the JUnit writer only read it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from contract_tests.chinese import to_chinese
from contract_tests.errors import ExitCode

SCHEMA_VERSION = 1
TOOL = {"name": "kms-contract", "version": "0.1.0"}


class OperationState(str, Enum):
    """What the run concluded about one operation."""

    CONFORMS = "conforms"
    VIOLATES = "violates"
    MISSING = "missing"
    NOT_TESTED = "not_tested"


class Verdict(str, Enum):
    """The outcome of a whole run; each has exactly one exit code."""

    HOLDS = "holds"
    VIOLATIONS = "violations"
    GAPS_ONLY = "gaps_only"
    COULD_NOT_RUN = "could_not_run"

    def exit_code(self, gaps_ok: bool = False) -> ExitCode:
        """Return the exit code; `gaps_ok` makes a run with only gaps succeed."""
        if self is Verdict.GAPS_ONLY and gaps_ok:
            return ExitCode.HOLDS
        return _VERDICT_EXIT[self]


_VERDICT_EXIT = {
    Verdict.HOLDS: ExitCode.HOLDS,
    Verdict.VIOLATIONS: ExitCode.VIOLATIONS,
    Verdict.GAPS_ONLY: ExitCode.GAPS_ONLY,
    Verdict.COULD_NOT_RUN: ExitCode.COULD_NOT_RUN,
}


@dataclass
class FailureRecord:
    """One observed violation, with what was expected beside what was received."""

    check: str
    title: str
    message: str
    expected: str
    received: str
    status_code: int | None
    curl: str
    # curl commands of the earlier requests that built the state this request needs, oldest first.
    steps: list[str] = field(default_factory=list)


@dataclass
class CheckTally:
    """How often one check passed and failed on one operation."""

    name: str
    passed: int = 0
    failed: int = 0


@dataclass
class OperationResult:
    """Everything the run learnt about one operation of the contract."""

    operationId: str  # noqa: N815 - the results.json field name
    method: str
    path: str
    availability: str
    priority: str | None
    state: OperationState = OperationState.NOT_TESTED
    reason: str = ""
    tests_run: int = 0
    checks: list[CheckTally] = field(default_factory=list)
    failures: list[FailureRecord] = field(default_factory=list)
    # Set when the test tools themselves failed on this operation; not part of results.json.
    internal_error: str = ""

    def stop_on_internal_error(self, error: BaseException) -> None:
        """Record that hypothesis or schemathesis failed here, so the operation is not judged as tested."""
        first_line = (str(error).strip().splitlines() or [""])[0]
        self.internal_error = f"{error.__class__.__name__}: {first_line}"[:300]

    def tally(self, check: str) -> CheckTally:
        """Return the tally of `check`, adding an empty one on first use."""
        for existing in self.checks:
            if existing.name == check:
                return existing
        created = CheckTally(name=check)
        self.checks.append(created)
        return created

    def record_check(self, check: str, failures: Sequence[FailureRecord]) -> None:
        """Count one response judged by `check`: passed without `failures`, else failed once.

        A list response with ten bad items is one failed response, so a check's passed plus
        failed never exceeds tests_run. Identical failures (same check and message) are kept once.
        """
        tally = self.tally(check)
        if not failures:
            tally.passed += 1
            return
        tally.failed += 1
        for failure in failures:
            seen = {(known.check, known.message) for known in self.failures}
            if (failure.check, failure.message) not in seen:
                self.failures.append(failure)

    def record_pass(self, check: str) -> None:
        self.record_check(check, [])

    def record_failure(self, failure: FailureRecord) -> None:
        """Count one response that failed `failure.check` with a single failure."""
        self.record_check(failure.check, [failure])

    def conclude(self) -> None:
        """Set the state from what was recorded, unless it is already missing."""
        if self.state is OperationState.MISSING:
            return
        stopped = f" The test tools then failed: {self.internal_error}." if self.internal_error else ""
        if self.failures:
            # Violations seen before the tools failed are real responses of the target, so they count.
            self.state = OperationState.VIOLATES
            counts = f"{len(self.failures)} distinct failure(s) across {self.tests_run} test(s)."
            self.reason = counts + stopped
        elif self.internal_error:
            self.state = OperationState.NOT_TESTED
            self.reason = (
                f"Not tested: the test tools failed after {self.tests_run} test(s): {self.internal_error}."
            )
        elif self.tests_run > 0:
            self.state = OperationState.CONFORMS
            self.reason = f"Every check passed in {self.tests_run} test(s)."
        elif not self.reason:
            self.reason = "No test reached this operation."


@dataclass
class ScenarioResult:
    name: str
    state: str  # passed | failed | skipped
    message: str


@dataclass
class Leftover:
    """A resource the run created and could not delete."""

    kind: str
    id: str
    reason: str


@dataclass
class RunInfo:
    started_at: str
    finished_at: str
    seed: int
    max_examples: int
    view: str
    target: dict[str, str]
    allow_writes: bool
    run_prefix: str
    # Remarks a reader needs to use the results, each as {"en": ..., "zh-CN": ...}.
    notes: list[dict[str, str]] = field(default_factory=list)


@dataclass
class RunResults:
    """The results of one run, convertible to and from results.json."""

    run: RunInfo
    operations: list[OperationResult] = field(default_factory=list)
    scenarios: list[ScenarioResult] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)
    spec_comparison: dict[str, Any] | None = None
    executed: bool = True
    # The target's own /openapi.json, kept for the static comparison; not part of results.json.
    target_document: dict[str, Any] | None = None

    def operation(self, operation_id: str) -> OperationResult:
        for result in self.operations:
            if result.operationId == operation_id:
                return result
        raise KeyError(f"operation {operation_id!r} is not part of this run")

    def verdict(self) -> Verdict:
        """Judge the run: violations beat gaps, and a run that executed nothing could not run."""
        states = Counter(result.state for result in self.operations)
        scenario_failed = any(scenario.state == "failed" for scenario in self.scenarios)
        if not self.executed or sum(result.tests_run for result in self.operations) == 0:
            return Verdict.COULD_NOT_RUN
        if states[OperationState.VIOLATES] or scenario_failed:
            return Verdict.VIOLATIONS
        if states[OperationState.MISSING]:
            return Verdict.GAPS_ONLY
        return Verdict.HOLDS

    def to_dict(self, gaps_ok: bool = False) -> dict[str, Any]:
        verdict = self.verdict()
        states = Counter(result.state.value for result in self.operations)
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": dict(TOOL),
            "run": asdict(self.run),
            "summary": {
                "states": {state.value: states[state.value] for state in OperationState},
                "verdict": verdict.value,
                "exit_code": int(verdict.exit_code(gaps_ok)),
            },
            "operations": [_operation_dict(result) for result in self.operations],
            "scenarios": [_with_chinese(asdict(scenario), "message") for scenario in self.scenarios],
            "leftovers": [_with_chinese(asdict(leftover), "reason") for leftover in self.leftovers],
            "spec_comparison": self.spec_comparison,
        }


def _operation_dict(result: OperationResult) -> dict[str, Any]:
    data = asdict(result)
    del data["internal_error"]  # the reason already contains it
    data["state"] = result.state.value
    for check in data["checks"]:
        # Responses the check does not judge, such as a money check on a 404 without money fields.
        check["not_applicable"] = max(result.tests_run - check["passed"] - check["failed"], 0)
    return _with_chinese(data, "reason")


def _with_chinese(data: dict[str, Any], name: str) -> dict[str, Any]:
    """Add `{name}_zh`, the Chinese form of the English sentence in `name`, for the Chinese report."""
    data[f"{name}_zh"] = to_chinese(data[name])
    return data
