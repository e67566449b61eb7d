"""Run the contract suite against one target and collect its results.

The stages, in order: load the chosen view of the spec, pick the target and its
session, judge which operations exist, fuzz each present operation, follow the
spec's links, run the scenarios, clean up, and conclude each operation's state.
Nothing here prints or exits; the CLI and the pytest plugin present the results.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import requests
import schemathesis
from schemathesis.python import asgi

import spec
from contract_tests import fuzzing, probe
from contract_tests.cleanup import CreatedResources, clean_up
from contract_tests.client import CREDENTIAL_HEADERS, MASK, KmsClient
from contract_tests.errors import SpecUnavailable, UsageError
from contract_tests.evaluation import Evaluator
from contract_tests.receiver import running_receiver
from contract_tests.results import OperationResult, OperationState, RunInfo, RunResults
from contract_tests.scenarios import ScenarioContext, run_scenarios
from contract_tests.target import Target, TargetKind, make_target, new_run_prefix

logger = logging.getLogger("kms_contract")

VIEWS = ("extended", "live")
DEFAULT_MAX_EXAMPLES = 25
# Statuses a valid request may get besides those of schemathesis's default list. A generated If-Match
# cannot equal the resource's current ETag, so 412 is expected. Key-type rules that the request schema
# cannot express are rejected with 422.
POSITIVE_EXTRA_STATUSES = ["412", "422"]

IN_PROCESS_NOTE = {
    "en": "The run used the in-process mock, which has no address. Its curl commands point at "
    "127.0.0.1:3090 and assume `kms-mock --strict` is running there.",
    "zh-CN": "本次运行使用进程内 mock，没有网络地址。报告中的 curl 命令指向 127.0.0.1:3090，"
    "复现前请先在该地址运行 `kms-mock --strict`。",
}

Progress = Callable[[str, int, int], None]


@dataclass
class RunConfig:
    """Everything a run needs; the CLI and the pytest plugin both build one."""

    url: str | None = None
    view: str = "extended"
    allow_writes: bool = False
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    # An ASGI app for in-process runs; by default the mock in strict mode.
    app: Any = None
    # A ready session. Every request then goes through it, whatever host the URL names.
    session: requests.Session | None = None
    stateful: bool = True
    scenarios: bool = True
    # None: derived from the seed for the in-process mock (a fresh store, so the same seed sends the
    # same requests), random for a real server, where an earlier run may have left data behind.
    run_prefix: str | None = None
    progress: Progress | None = None


def run(config: RunConfig) -> RunResults:
    """Run the suite as configured and return its results; raise only when nothing could run."""
    _validate(config)
    started = _now()
    seed = config.seed if config.seed is not None else secrets.randbelow(2**31)
    target = make_target(config.url, config.allow_writes)
    document = _load_view(config.view)
    client = KmsClient(_session_for(config, target), target, dict(config.headers))

    # Presence first: missing operations are gaps, never fuzzed.
    target_document = probe.fetch_target_document(client)
    if target.kind is not TargetKind.IN_PROCESS:
        probe.ensure_kms(client, target_document, [op.path for op in spec.operations(spec.load_spec())])
    results = _initial_results(document, client, target_document)
    created = CreatedResources()
    evaluator = Evaluator(client, {result.operationId: result for result in results}, created)
    info = RunInfo(
        started,
        started,
        seed,
        config.max_examples,
        config.view,
        {"url": _shown_url(target), "kind": target.kind.value},
        target.writes_enabled,
        _run_prefix(config, target),
    )
    if target.kind is TargetKind.IN_PROCESS:
        info.notes.append(dict(IN_PROCESS_NOTE))
    run_results = RunResults(run=info, operations=results)

    # One receiver for the whole run: every webhook the run registers points at it, so deliveries
    # succeed instead of being retried, and nothing is sent beyond loopback.
    with running_receiver() as receiver:
        try:
            _exercise(config, document, evaluator, run_results, seed, receiver.url)
        finally:
            # Clean up even when the run stops early, so a failed run leaves no more data behind than needed.
            can_delete, why_not = _can_delete_organizations(client, results, target_document)
            run_results.leftovers = clean_up(client, created, can_delete, receiver.url, why_not)
    for result in results:
        result.conclude()
    run_results.run.finished_at = _now()
    run_results.target_document = target_document
    return run_results


def _exercise(
    config: RunConfig,
    document: dict[str, Any],
    evaluator: Evaluator,
    run_results: RunResults,
    seed: int,
    webhook_url: str,
) -> None:
    """Fuzz each testable operation, follow the links, then run the scenarios."""
    results = run_results.operations
    testable = [
        result.operationId
        for result in results
        if result.state is OperationState.NOT_TESTED and not result.reason
    ]
    schema = _schemathesis_schema(document)
    operations = fuzzing.operations_by_id(schema)
    prefix = run_results.run.run_prefix
    fuzz = fuzzing.FuzzSettings(config.max_examples, seed, prefix, webhook_url)
    with fuzzing.without_local_constants():
        for index, operation_id in enumerate(testable):
            _report(config, operation_id, index, len(testable))
            fuzzing.fuzz_operation(operations[operation_id], evaluator, fuzz)
        if config.stateful and evaluator.client.target.writes_enabled:
            _report(config, "stateful", len(testable), len(testable))
            _run_linked(document, evaluator, fuzz, frozenset(testable))
    if config.scenarios:
        _report(config, "scenarios", len(testable), len(testable))
        present = frozenset(
            result.operationId for result in results if result.state is not OperationState.MISSING
        )
        context = ScenarioContext(evaluator.client, evaluator.results, evaluator.created, prefix, present)
        context.excluded = _excluded_by_view(document)
        context.view = config.view
        run_scenarios_results = run_scenarios(context)
        run_results.scenarios = run_scenarios_results


def _run_linked(
    document: dict[str, Any], evaluator: Evaluator, fuzz: fuzzing.FuzzSettings, testable: frozenset[str]
) -> None:
    # Webhook registrations cannot be deleted, so the linked sequences do not add more of them.
    allowed = testable - {"configureWebhook"}
    linked = _schemathesis_schema(fuzzing.only_operations(document, allowed))
    fuzzing.run_stateful(
        linked, evaluator, fuzz, lambda case: case.operation.definition.raw.get("operationId") in allowed
    )


def _initial_results(
    document: dict[str, Any], client: KmsClient, target_document: dict[str, Any] | None
) -> list[OperationResult]:
    operations = spec.operations(document)
    presence = probe.judge_presence(
        client, [(op.operation_id, op.method, op.path) for op in operations], target_document
    )
    results = []
    for operation in operations:
        result = OperationResult(
            operation.operation_id,
            operation.method,
            operation.path,
            operation.availability,
            operation.priority,
        )
        judged = presence[operation.operation_id]
        if judged.present is False:
            result.state, result.reason = OperationState.MISSING, judged.reason
        elif judged.present is None:
            result.reason = judged.reason
        elif not client.target.permits(operation.method):
            result.reason = "Not tested: the target is remote and writes are off (--allow-writes)."
        results.append(result)
    return results


def _schemathesis_schema(document: dict[str, Any]) -> Any:
    config = schemathesis.Config.from_dict(
        {
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": [
                        "2xx",
                        "3xx",
                        "401",
                        "403",
                        "404",
                        "409",
                        "429",
                        "5xx",
                        *POSITIVE_EXTRA_STATUSES,
                    ]
                }
            },
            # schemathesis hides any header or body field whose name contains "key" by default, which
            # masks Idempotency-Key and key_type. Only credential headers are hidden; the values of
            # the user's --header options are masked before they reach schemathesis.
            "output": {
                "sanitization": {
                    "keys-to-sanitize": list(CREDENTIAL_HEADERS),
                    "sensitive-markers": ["authorization", "cookie"],
                    # The same placeholder as the user's masked --header values, so one word means hidden.
                    "replacement": MASK,
                }
            },
        }
    )
    return schemathesis.openapi.from_dict(document, config=config)


def _session_for(config: RunConfig, target: Target) -> requests.Session:
    if config.session is not None:
        return config.session
    if target.kind is TargetKind.IN_PROCESS:
        return asgi.get_client(config.app if config.app is not None else default_app())
    return requests.Session()


def default_app() -> Any:
    """Return the mock in strict mode, so it checks its own responses against the spec."""
    from mock_server.app import create_app
    from mock_server.config import MockSettings

    return create_app(MockSettings(strict=True))


def _load_view(view: str) -> dict[str, Any]:
    try:
        return spec.view(spec.load_spec(), view)
    except (OSError, ValueError) as error:
        raise SpecUnavailable(f"could not load the KMS contract: {error}") from error


def _validate(config: RunConfig) -> None:
    if config.view not in VIEWS:
        raise UsageError(f"--view {config.view!r} is not a view; use one of: {', '.join(VIEWS)}")
    if config.max_examples < 1:
        raise UsageError(f"--max-examples {config.max_examples} must be at least 1, e.g. --max-examples 25")


def _run_prefix(config: RunConfig, target: Target) -> str:
    if config.run_prefix is not None:
        return config.run_prefix
    seeded = target.kind is TargetKind.IN_PROCESS and config.seed is not None
    return new_run_prefix(config.seed if seeded else None)


def _excluded_by_view(document: dict[str, Any]) -> frozenset[str]:
    in_view = {operation.operation_id for operation in spec.operations(document)}
    return frozenset(
        op.operation_id for op in spec.operations(spec.load_spec()) if op.operation_id not in in_view
    )


def _can_delete_organizations(
    client: KmsClient, results: list[OperationResult], target_document: dict[str, Any] | None
) -> tuple[bool, str]:
    """Tell whether clean-up may delete organizations, and if not, why.

    Clean-up is not testing: when the view excludes deleteOrganization but the target serves it,
    the run still deletes what it created rather than leave it behind.
    """
    if _present(results, "deleteOrganization"):
        return True, ""
    if any(result.operationId == "deleteOrganization" for result in results):
        return False, "The target lacks deleteOrganization."
    delete = next(op for op in spec.operations(spec.load_spec()) if op.operation_id == "deleteOrganization")
    judged = probe.judge_presence(
        client, [(delete.operation_id, delete.method, delete.path)], target_document
    )
    if judged[delete.operation_id].present:
        return True, ""
    return False, f"The target lacks deleteOrganization ({judged[delete.operation_id].reason})"


def _present(results: list[OperationResult], operation_id: str) -> bool:
    return any(r.operationId == operation_id and r.state is not OperationState.MISSING for r in results)


def _shown_url(target: Target) -> str:
    return "in-process mock" if target.kind is TargetKind.IN_PROCESS else target.base_url


def _report(config: RunConfig, stage: str, done: int, total: int) -> None:
    logger.debug("stage %s (%d/%d)", stage, done, total)
    if config.progress is not None:
        config.progress(stage, done, total)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
