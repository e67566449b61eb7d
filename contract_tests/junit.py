"""JUnit XML from a results.json document, for CI systems that show test trees.

It reads the plain results dictionary (not the dataclasses), so any stored
results file can be converted again. Each operation contributes one test case
per check it ran (class name: the operationId, name: the check). A missing or
untested operation contributes one skipped case, and each scenario is one case.
A run that could not run at all contributes one errored case naming the error.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SUITE_NAME = "kms-contract"


def build_junit(results: Mapping[str, Any]) -> ET.Element:
    """Build the `<testsuites>` tree of one run."""
    suite = ET.Element("testsuite", name=SUITE_NAME)
    for operation in results["operations"]:
        _add_operation(suite, operation)
    for scenario in results.get("scenarios", []):
        _add_scenario(suite, scenario)
    if results["summary"]["verdict"] == "could_not_run":
        _add_run_error(suite, results["summary"].get("reason", "nothing could be tested"))
    cases = suite.findall("testcase")
    counts = {
        "tests": len(cases),
        "failures": sum(1 for case in cases if case.find("failure") is not None),
        "skipped": sum(1 for case in cases if case.find("skipped") is not None),
        "errors": sum(1 for case in cases if case.find("error") is not None),
    }
    for name, value in counts.items():
        suite.set(name, str(value))
    root = ET.Element("testsuites", {"name": SUITE_NAME, **{k: str(v) for k, v in counts.items()}})
    root.append(suite)
    return root


def write_junit(results: Mapping[str, Any], path: Path) -> Path:
    """Write the JUnit XML of `results` to `path` and return the path."""
    tree = ET.ElementTree(build_junit(results))
    ET.indent(tree)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path


def _add_operation(suite: ET.Element, operation: Mapping[str, Any]) -> None:
    operation_id = operation["operationId"]
    if operation["state"] in ("missing", "not_tested") or not operation["checks"]:
        case = ET.SubElement(suite, "testcase", classname=operation_id, name="presence")
        ET.SubElement(case, "skipped", message=f"{operation['state']}: {operation['reason']}")
        return
    for check in operation["checks"]:
        case = ET.SubElement(suite, "testcase", classname=operation_id, name=check["name"])
        if check["failed"]:
            _add_failure(case, [f for f in operation["failures"] if f["check"] == check["name"]])


def _add_failure(case: ET.Element, failures: list[Mapping[str, Any]]) -> None:
    first = failures[0] if failures else {"title": "check failed"}
    element = ET.SubElement(case, "failure", message=str(first["title"]))
    element.text = "\n\n".join(_failure_text(failure) for failure in failures)


def _failure_text(failure: Mapping[str, Any]) -> str:
    # Earlier steps build the state the failing request needs (e.g. the organization a spend read reads).
    commands = [*failure.get("steps", []), failure["curl"]]
    return (
        f"{failure['title']}\n{failure['message']}\n"
        f"expected: {failure['expected']}\nreceived: {failure['received']}\n"
        "reproduce:\n" + "\n".join(commands)
    )


def _add_scenario(suite: ET.Element, scenario: Mapping[str, Any]) -> None:
    case = ET.SubElement(suite, "testcase", classname="scenarios", name=scenario["name"])
    if scenario["state"] == "failed":
        ET.SubElement(case, "failure", message=scenario["message"]).text = scenario["message"]
    elif scenario["state"] == "skipped":
        ET.SubElement(case, "skipped", message=scenario["message"])


def _add_run_error(suite: ET.Element, reason: str) -> None:
    # Without a case that errors, a run that tested nothing would show as an empty, green suite.
    case = ET.SubElement(suite, "testcase", classname=SUITE_NAME, name="run")
    ET.SubElement(case, "error", message=reason).text = reason
