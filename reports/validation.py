"""Check a results dictionary before the renderer reads it.

A results file may come from another version of the runner or from a hand edit.
The renderer validates it against ``results.schema.yaml`` first and stops with the
path of the first bad field, instead of failing deep inside a template.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import jsonschema_rs
import yaml

STATES = ("conforms", "violates", "missing", "not_tested")


class InvalidResults(ValueError):
    """The results dictionary does not match results.json schema version 1."""


@functools.cache
def _validator() -> Any:
    text = resources.files("reports").joinpath("results.schema.yaml").read_text(encoding="utf-8")
    return jsonschema_rs.validator_for(yaml.safe_load(text))


def _location(instance_path: list[str | int]) -> str:
    location = "results"
    for part in instance_path:
        location += f"[{part}]" if isinstance(part, int) else f".{part}"
    return location


def validate_results(results: Any) -> None:
    """Raise InvalidResults naming the first field that breaks the schema."""
    errors = sorted(_validator().iter_errors(results), key=lambda error: list(map(str, error.instance_path)))
    if errors:
        first = errors[0]
        raise InvalidResults(
            f"{_location(list(first.instance_path))}: {first.message}. "
            "Regenerate the file with `kms-contract run`, or fix that field by hand."
        )
    _check_state_counts(results)


def _check_state_counts(results: dict[str, Any]) -> None:
    """Reject a summary whose per-state counts disagree with the operations list."""
    recorded = results["summary"]["states"]
    for state in STATES:
        counted = sum(1 for operation in results["operations"] if operation["state"] == state)
        if recorded[state] != counted:
            raise InvalidResults(
                f"results.summary.states.{state} is {recorded[state]}, but {counted} operations "
                f"have state {state!r}. Regenerate the file with `kms-contract run`."
            )
