"""Judge one response with schemathesis's built-in checks and the KMS checks.

Both the per-operation fuzzing and the stateful phase hand every response to
`Evaluator.evaluate`, which records one pass or failure per check on the
operation's result. Failures are collected, never raised, so a run reports
every distinct violation instead of stopping at the first.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.parameters import ParameterLocation

from contract_tests.checks import RESPONSE_CHECKS, Exchange, Violation
from contract_tests.cleanup import CreatedResources
from contract_tests.client import KmsClient, masked
from contract_tests.errors import TargetUnreachable
from contract_tests.results import FailureRecord, OperationResult

if TYPE_CHECKING:
    from schemathesis import Case, Response
    from schemathesis.engine.recorder import ScenarioRecorder

logger = logging.getLogger("kms_contract")

# Built-in checks that judge a single response. Not run: unsupported_method and allow_header_conformance
# judge only cases of schemathesis's coverage phase, and the auth checks need security schemes, which the
# KMS contract does not declare.
BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
)
# Built-in check that reads the earlier steps of a linked sequence (a resource read after its delete).
# It runs in the stateful phase, which records the steps.
# ensure_resource_availability is not run, because it cannot know that deleting an organization
# deletes its teams and keys, or that a team read with a generated c_organization_id reads another
# organization's team. It reports both 404s as failures.
STATEFUL_BUILTIN_CHECKS = ("use_after_free",)
# A run against a server that stopped responding ends instead of waiting out every timeout.
MAX_NETWORK_ERRORS_IN_A_ROW = 3
# c_* ids are any 1..128 characters without "/" or control characters, so "null", "false" and "0" are ids.
ID_PATTERN = re.compile(r"^[^/\x00-\x1f\x7f]{1,128}$")


def builtin_checks(names: tuple[str, ...] = BUILTIN_CHECKS) -> list[Any]:
    load_all_checks()
    return [CHECKS.get_one(name) for name in names]


@dataclass
class Evaluator:
    """Runs every check on a response and records the outcome on its operation."""

    client: KmsClient
    results: Mapping[str, OperationResult]
    created: CreatedResources

    def __post_init__(self) -> None:
        self._builtins = builtin_checks()
        self._stateful_builtins = builtin_checks(STATEFUL_BUILTIN_CHECKS)
        self._network_errors_in_a_row = 0

    def execute(self, case: Case[Any]) -> None:
        """Send `case` and judge the response. A request that gets no response is itself a failure."""
        try:
            response = self.client.send_case(case)
        except requests.RequestException as error:
            self._record_no_answer(case, error)
            return
        self._network_errors_in_a_row = 0
        self.evaluate(case, response)

    def _record_no_answer(self, case: Case[Any], error: requests.RequestException) -> None:
        self._network_errors_in_a_row += 1
        if self._network_errors_in_a_row >= MAX_NETWORK_ERRORS_IN_A_ROW:
            raise TargetUnreachable(
                f"{self.client.target.base_url} stopped answering ({error.__class__.__name__} "
                f"{MAX_NETWORK_ERRORS_IN_A_ROW} times in a row)"
            ) from error
        result = self.results.get(case.operation.definition.raw.get("operationId", ""))
        if result is None:
            return
        result.tests_run += 1
        curl = self._curl(case)
        result.record_failure(
            FailureRecord(
                check="server_answered",
                title="no response",
                message=f"The request failed: {error!r}",
                expected="an HTTP response within 30 s",
                received=error.__class__.__name__,
                status_code=None,
                curl=curl,
            )
        )

    def _curl(self, case: Case[Any]) -> str:
        command = case.as_curl_command(
            headers=masked(self.client.headers), base_url=self.client.curl_base_url
        )
        return self.client.replayable(command)

    def evaluate(
        self,
        case: Case[Any],
        response: Response,
        recorder: ScenarioRecorder | None = None,
        steps: Sequence[str] = (),
    ) -> str:
        """Run every check on `response` and return the curl of the request.

        With the `recorder` of a linked sequence the stateful checks run too. `steps` are the
        curls of the sequence's earlier requests, kept on each failure so it can be reproduced.
        """
        curl = self._curl(case)
        result = self.results.get(case.operation.definition.raw.get("operationId", ""))
        if result is None:
            return curl
        result.tests_run += 1
        failures_before = len(result.failures)
        stateful = self._stateful_builtins if recorder is not None else []
        for check in self._builtins + stateful:
            self._run_builtin(check, case, response, result, curl, recorder)
        exchange = to_exchange(case, response, curl, result.operationId)
        for kms_check in RESPONSE_CHECKS:
            outcome = kms_check(exchange)
            if outcome is None:
                continue
            failures = [failure_from_violation(violation, exchange) for violation in outcome]
            result.record_check(kms_check.__name__, failures)
        self.created.observe(result.operationId, exchange.status_code, exchange.body)
        for failure in result.failures[failures_before:]:
            failure.steps = list(steps)
        return curl

    def _run_builtin(
        self,
        check: Any,
        case: Case[Any],
        response: Response,
        result: OperationResult,
        curl: str,
        recorder: ScenarioRecorder | None,
    ) -> None:
        try:
            case.validate_response(
                response, checks=[check], headers=dict(self.client.headers), recorder=recorder
            )
        except FailureGroup as group:
            real_failures = [
                failure for failure in group.exceptions if not is_id_literal_false_alarm(case, failure)
            ]
            records = [
                failure_from_builtin(check.__name__, failure, response, curl) for failure in real_failures
            ]
            result.record_check(check.__name__, records)
            return
        result.record_pass(check.__name__)


def to_exchange(case: Case[Any], response: Response, curl: str, operation_id: str) -> Exchange:
    """Describe a schemathesis case and its response in the form the KMS checks read."""
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        body = None
    query = {name: str(value) for name, value in (case.query or {}).items() if isinstance(value, str)}
    headers = {
        name: values[0] if isinstance(values, list) else str(values)
        for name, values in response.headers.items()
    }
    return Exchange(
        operation_id=operation_id,
        method=case.method.upper(),
        path=case.formatted_path,
        status_code=response.status_code,
        body=body,
        query=query,
        headers=headers,
        curl=curl,
    )


def failure_from_violation(
    violation: Violation, exchange: Exchange, steps: Sequence[str] = ()
) -> FailureRecord:
    return FailureRecord(
        steps=list(steps),
        check=violation.check,
        title=violation.title,
        message=violation.message,
        expected=violation.expected,
        received=violation.received,
        status_code=exchange.status_code,
        curl=exchange.curl,
    )


def failure_from_builtin(check: str, failure: Failure, response: Response, curl: str) -> FailureRecord:
    """Turn a schemathesis failure into a record, naming what the spec documents beside what came back."""
    expected, received = _expected_and_received(failure, response)
    return FailureRecord(
        check=check,
        title=failure.title,
        message=failure.message.strip(),
        expected=expected,
        received=received,
        status_code=response.status_code,
        curl=curl,
    )


# The schemathesis failure attribute that lists what the spec allows, and how to say it.
EXPECTATION_ATTRIBUTES = (
    ("defined_status_codes", "one of the documented statuses {}"),
    ("expected_statuses", "one of the statuses {}"),
    ("allowed_statuses", "one of the statuses {}"),
    ("defined_content_types", "one of the documented content types {}"),
    ("allowed_types", "one of the content types {}"),
    ("missing_headers", "the documented headers {}"),
    ("media_types", "a Content-Type header, one of {}"),
)
# Expectations of the failure kinds that carry no such attribute.
EXPECTATION_BY_KIND = {
    "ServerError": "a status below 500",
    "ContentTypeServerError": "a status below 500",
    "MalformedJson": "a well-formed JSON body",
    "UseAfterFree": "404 for every read of a deleted resource",
    "EnsureResourceAvailability": "the created resource readable right after its create",
    "ResponseTimeExceeded": "a response within the deadline",
}


def _expected_and_received(failure: Failure, response: Response) -> tuple[str, str]:
    content_type = response.headers.get("content-type", ["(none)"])
    received = f"{response.status_code} {content_type[0] if content_type else '(none)'}"
    for attribute, wording in EXPECTATION_ATTRIBUTES:
        value = getattr(failure, attribute, None)
        if value:
            return wording.format(", ".join(str(item) for item in value)), received
    kind = failure.__class__.__name__
    if kind == "JsonSchemaError":
        instance = getattr(failure, "instance", None)
        return "a body valid against the response schema", _short(instance)
    return EXPECTATION_BY_KIND.get(kind, f"a response that passes the check ({failure.title})"), received


def _short(value: object, limit: int = 300) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def is_id_literal_false_alarm(case: Case[Any], failure: Failure) -> bool:
    """Whether an accepted-negative-data failure was only an id such as "null" on the wire."""
    if failure.__class__.__name__ != "AcceptedNegativeData" or case.meta is None:
        return False
    negated = {location for location in ParameterLocation if case.meta.is_negative_at(location)}
    return ids_only_negated(negated, case.path_parameters or {}, case.query or {})


def ids_only_negated(
    negated: set[ParameterLocation], path: Mapping[str, Any], query: Mapping[str, Any]
) -> bool:
    """Whether only path and query values were negated, and each of them is a valid id as sent."""
    if not negated or not negated <= {ParameterLocation.PATH, ParameterLocation.QUERY}:
        return False
    values = list(path.values()) + list(query.values())
    return all(ID_PATTERN.match(wire_form(value)) for value in values)


def wire_form(value: object) -> str:
    """The text a path or query value becomes on the wire: JSON literals for null and booleans."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (list, dict)):
        return "/"  # never an id: structured values do not fit one path or query segment
    return str(value)
