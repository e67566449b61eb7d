"""Drive schemathesis: generated cases per operation, then sequences through the spec's links.

The suite calls hypothesis directly on each operation's strategy rather than
running schemathesis's engine, because it needs per-operation results, its own
checks on every response, one door for all traffic (`KmsClient`) and ids that
start with the run prefix.
"""

from __future__ import annotations

import copy
import importlib
import itertools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis.errors import Flaky, Unsatisfiable
from hypothesis.stateful import get_state_machine_test
from schemathesis import GenerationMode

from contract_tests.errors import ContractSuiteError
from contract_tests.evaluation import Evaluator

if TYPE_CHECKING:
    from schemathesis import APIOperation, BaseSchema, Case, Response

    Operation = APIOperation[Any, Any, Any, Any]

logger = logging.getLogger("kms_contract")

CREATE_OPERATIONS = frozenset({"createOrganization", "createTeam", "createKey"})
MAX_ID_LENGTH = 128
# The contract cannot delete a webhook endpoint, so every accepted registration outlives the run.
# Few registrations are enough to check the operation's responses.
WEBHOOK_MAX_EXAMPLES = 3
# Only generation: shrinking would re-send requests to find a smaller example of a failure that is
# already recorded, and the example database would make runs depend on earlier runs.
GENERATE_ONLY = (Phase.explicit, Phase.generate)


@dataclass(frozen=True)
class FuzzSettings:
    max_examples: int
    seed: int
    run_prefix: str
    # Where generated webhook registrations point: the suite's own loopback receiver.
    webhook_url: str
    # Numbers each created id, so no two creates of the run collide. A collision would make the server's
    # status (201 or 409) depend on earlier cases, which hypothesis rejects as flaky generation.
    serial: Iterator[int] = field(default_factory=itertools.count, compare=False)


@contextmanager
def without_local_constants() -> Iterator[None]:
    """Keep hypothesis from mixing constants of the loaded local modules into generated values.

    hypothesis draws now and then from literals found in the source of every loaded module outside
    site-packages. Which modules are loaded differs between the first and a later run in one process,
    between the CLI and pytest, and between editable and regular installs, so the same seed would
    send different requests. This uses an internal hook of hypothesis; when it is absent, runs stay
    valid but may differ, and a warning says so.
    """
    providers = importlib.import_module("hypothesis.internal.conjecture.providers")
    original = getattr(providers, "_get_local_constants", None)
    constants_class = getattr(providers, "Constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if original is None or constants_class is None or cache is None:
        logger.warning("hypothesis has no local-constants hook; the same seed may send other requests")
        yield
        return
    empty = constants_class()
    setattr(providers, "_get_local_constants", lambda: empty)  # noqa: B010 - internal name, checked above
    cache.cache.clear()
    try:
        yield
    finally:
        setattr(providers, "_get_local_constants", original)  # noqa: B010 - restores the internal hook
        cache.cache.clear()


def hypothesis_settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        phases=GENERATE_ONLY,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        # hypothesis would print the steps of a stopped state machine on stdout, between the progress
        # line and the summary; what matters is in the results.
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
    )


def prepare_case(case: Case[Any], fuzz: FuzzSettings) -> None:
    """Adjust a generated case so that what it creates is recognisable and harmless.

    c_* ids in positive create bodies get the run prefix and a serial number. An http(s) webhook URL
    is replaced by the suite's own loopback receiver, so a target never delivers events to a
    generated host.
    """
    operation_id = case.operation.definition.raw.get("operationId")
    if not isinstance(case.body, dict):
        return
    url = case.body.get("url")
    if (
        operation_id == "configureWebhook"
        and isinstance(url, str)
        and url.lower().startswith(("http:", "https:"))
    ):
        case.body["url"] = fuzz.webhook_url
    is_positive = case.meta is None or case.meta.generation.mode.is_positive
    if operation_id not in CREATE_OPERATIONS or not is_positive:
        return
    for name, value in list(case.body.items()):
        if name.startswith("c_") and isinstance(value, str) and not value.startswith(fuzz.run_prefix):
            case.body[name] = f"{fuzz.run_prefix}-{next(fuzz.serial)}-{value}"[:MAX_ID_LENGTH]


def examples_for(operation_id: str, max_examples: int) -> int:
    """Return how many cases to generate per mode for an operation."""
    if operation_id == "configureWebhook":
        return min(max_examples, WEBHOOK_MAX_EXAMPLES)
    return max_examples


def fuzz_operation(operation: Operation, evaluator: Evaluator, fuzz: FuzzSettings) -> None:
    """Send positive and negative generated cases of one operation; every response is judged.

    A failure of hypothesis or schemathesis (not of the target) marks the operation as not tested
    and ends only this operation's cases.
    """
    operation_id = str(operation.definition.raw.get("operationId"))
    # schemathesis's mode is a StrEnum, which mypy's Python 3.10 target treats as plain str.
    modes = cast("list[GenerationMode]", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    for mode in modes:
        try:
            _fuzz_mode(operation, evaluator, fuzz, mode, examples_for(operation_id, fuzz.max_examples))
        except Unsatisfiable:
            # An operation without inputs has no negative cases; nothing is left untested by skipping.
            logger.debug("no %s cases for %s", mode, operation.label)
        except ContractSuiteError:
            raise
        except Exception as error:  # noqa: BLE001 - a failure of the test tools must not end the whole run
            logger.warning("testing %s stopped on an internal error: %r", operation.label, error)
            result = evaluator.results.get(operation_id)
            if result is not None:
                result.stop_on_internal_error(error)
            return


def _fuzz_mode(
    operation: Operation, evaluator: Evaluator, fuzz: FuzzSettings, mode: GenerationMode, examples: int
) -> None:
    strategy = operation.as_strategy(generation_mode=mode)

    def send(case: Case[Any]) -> None:
        prepare_case(case, fuzz)
        evaluator.execute(case)

    test = hypothesis.given(case=strategy)(send)
    test = hypothesis_settings(examples)(test)
    hypothesis.seed(fuzz.seed)(test)()


def only_operations(document: dict[str, Any], keep: frozenset[str]) -> dict[str, Any]:
    """Return a copy of `document` with only the operations in `keep`, and links only between them.

    The state machine starts sequences at any operation it contains and follows any link, so an
    operation the run may not send (missing, or a write on a read-only target) must not be in it.
    schemathesis also rejects a link to an operation the document lacks.
    """
    pruned = copy.deepcopy(document)
    named = pruned.get("components", {}).get("links", {})
    for path, item in list(pruned.get("paths", {}).items()):
        for method, operation in list(item.items()):
            if (
                isinstance(operation, dict)
                and "operationId" in operation
                and operation["operationId"] not in keep
            ):
                del item[method]
            elif isinstance(operation, dict):
                _prune_links(operation, named, keep)
        if not any(isinstance(value, dict) and "operationId" in value for value in item.values()):
            del pruned["paths"][path]
    for name in [name for name, link in named.items() if link.get("operationId") not in keep]:
        del named[name]
    return pruned


def _prune_links(operation: dict[str, Any], named: dict[str, Any], keep: frozenset[str]) -> None:
    for response in operation.get("responses", {}).values():
        links = response.get("links") if isinstance(response, dict) else None
        if isinstance(links, dict):
            response["links"] = {
                name: link for name, link in links.items() if _link_target(link, named) in keep
            }


def _link_target(link: dict[str, Any], named: dict[str, Any]) -> str | None:
    reference = link.get("$ref")
    if isinstance(reference, str):
        link = named.get(reference.rsplit("/", 1)[-1], {})
    target = link.get("operationId")
    return target if isinstance(target, str) else None


def run_stateful(
    schema: BaseSchema, evaluator: Evaluator, fuzz: FuzzSettings, allowed: Callable[[Case[Any]], bool]
) -> None:
    """Follow the spec's links (create → read, update, spend) with the same checks on every step."""
    machine_class = _bind_machine(schema.as_state_machine(), evaluator, fuzz, allowed)
    test = get_state_machine_test(machine_class, settings=hypothesis_settings(max(1, fuzz.max_examples // 2)))
    try:
        hypothesis.seed(fuzz.seed)(test)()
    except Unsatisfiable:
        logger.info("stateful phase found no sequence it may send (every linked operation is excluded)")
    except Flaky as error:
        # The server's state outlives each sequence, so a replayed sequence may get other responses.
        # What ran before this point is recorded, and the phase ends early.
        logger.info("stateful phase ended early: %s", str(error).splitlines()[0])
    except ContractSuiteError:
        raise
    except Exception as error:  # noqa: BLE001 - a failure of the test tools must not end the whole run
        # What the phase sent so far is recorded on each operation; the run goes on to the scenarios.
        logger.warning("stateful phase stopped on an internal error: %r", error)


def _bind_machine(
    base: type[Any], evaluator: Evaluator, fuzz: FuzzSettings, allowed: Callable[[Case[Any]], bool]
) -> type[Any]:
    class KmsStateMachine(base):  # type: ignore[misc]
        """Step through linked operations. A step the run must not send is rejected before any request."""

        def __init__(self) -> None:
            super().__init__()
            # Hypothesis builds one machine per sequence, so this list contains the curls of one sequence.
            self.kms_steps: list[str] = []

        def before_call(self, case: Case[Any]) -> None:
            prepare_case(case, fuzz)

        def call(self, case: Case[Any], **kwargs: Any) -> Response:
            if not allowed(case):
                hypothesis.reject()
            return evaluator.client.send_case(case)

        def validate_response(self, response: Response, case: Case[Any], **kwargs: Any) -> None:
            self.kms_steps.append(evaluator.evaluate(case, response, self.recorder, self.kms_steps))

    return KmsStateMachine


def operations_by_id(schema: BaseSchema) -> dict[str, Operation]:
    found = {}
    for result in schema.get_all_operations():
        # An operation the spec describes badly raises here, naming it: the spec's own tests must catch that.
        operation = result.ok()  # type: ignore[union-attr]
        found[operation.definition.raw["operationId"]] = operation
    return found
