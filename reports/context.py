"""Turn a validated results dictionary into the values the templates print.

Templates stay free of logic beyond loops: grouping, ordering, counting and the
verdict sentences are decided here, once, for every output language.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml

from reports.validation import STATES

LANGUAGES = ("en", "zh-CN")
PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2, None: 3}
SEVERITY_RANK = {"critical": 0, "major": 1, "minor": 2, "info": 3}
GROUP_ORDER = ("missing_high", "violates", "missing_other", "not_tested", "conforms")


@functools.cache
def _read_yaml(name: str) -> Any:
    return yaml.safe_load(resources.files("reports").joinpath(name).read_text(encoding="utf-8"))


def load_labels() -> dict[str, Any]:
    """Return the per-language words and sentences of the reports."""
    labels: dict[str, Any] = _read_yaml("templates/labels.yaml")
    return labels


def load_findings() -> list[dict[str, Any]]:
    """Return the bilingual design findings of reports/findings.yaml."""
    findings: list[dict[str, Any]] = _read_yaml("findings.yaml")["findings"]
    return findings


def group_of(operation: Mapping[str, Any]) -> str:
    """Name the report section an operation belongs in, most urgent first."""
    if operation["state"] == "missing":
        return "missing_high" if operation["priority"] == "high" else "missing_other"
    return str(operation["state"])


def _sort_key(operation: Mapping[str, Any]) -> tuple[int, str, str]:
    return (PRIORITY_RANK[operation["priority"]], operation["path"], operation["method"])


def _counted(labels: Mapping[str, Any], count: int, noun: str) -> str:
    forms = labels[noun]
    return f"{count} {forms['one'] if count == 1 else forms['other']}"


def _names(operations: list[Mapping[str, Any]], labels: Mapping[str, Any]) -> str:
    return str(labels["name_separator"]).join(f"`{operation['operationId']}`" for operation in operations)


def _target_phrase(target: Mapping[str, Any], labels: Mapping[str, Any]) -> str:
    kind = labels["target_kind"][target["kind"]]
    if target["kind"] == "in-process":
        # The runner records no URL for the in-process mock, only a placeholder name.
        return str(kind)
    return str(labels["target_with_kind"]).format(url=target["url"], kind=kind)


def _violations_phrase(
    results: Mapping[str, Any], violating: list[Mapping[str, Any]], labels: Mapping[str, Any]
) -> str:
    """Name what violates the contract: operations, failed scenarios, or both."""
    failed = [scenario for scenario in results["scenarios"] if scenario["state"] == "failed"]
    parts = []
    for items, noun, key in ((violating, "operation_noun", "operationId"), (failed, "scenario_noun", "name")):
        if items:
            names = str(labels["name_separator"]).join(f"`{item[key]}`" for item in items)
            parts.append(
                labels["counted_names"].format(count=_counted(labels, len(items), noun), names=names)
            )
    return str(labels["and_join"]).join(parts)


def verdict_paragraph(results: Mapping[str, Any], labels: Mapping[str, Any]) -> str:
    """Compose the one-paragraph summary a KMS team lead reads first."""
    run, states = results["run"], results["summary"]["states"]
    operations = sorted(results["operations"], key=_sort_key)
    violating = [operation for operation in operations if operation["state"] == "violates"]
    missing_high = [operation for operation in operations if group_of(operation) == "missing_high"]
    sentences = [
        labels["scope"].format(
            target=_target_phrase(run["target"], labels),
            view=labels["view"][run["view"]],
            started=run["started_at"],
            finished=run["finished_at"],
        ),
        labels["outcome"][results["summary"]["verdict"]].format(
            what=_violations_phrase(results, violating, labels),
            missing=_counted(labels, states["missing"], "operation_noun"),
        ),
        labels["totals"].format(total=len(operations), **states),
    ]
    if missing_high:
        sentences.append(labels["missing_high"].format(names=_names(missing_high, labels)))
    sentences.extend(_closing_sentences(results, labels, violating, missing_high))
    return str(labels["sentence_separator"]).join(sentences)


def _closing_sentences(
    results: Mapping[str, Any],
    labels: Mapping[str, Any],
    violating: list[Mapping[str, Any]],
    missing_high: list[Mapping[str, Any]],
) -> list[str]:
    asks = []
    if violating:
        asks.append(labels["ask_fix"].format(names=_names(violating, labels)))
    if missing_high:
        asks.append(labels["ask_build"].format(names=_names(missing_high, labels)))
    sentences = []
    if asks:
        sentences.append(labels["ask"].format(items=labels["ask_join"].join(asks)))
    sentences.append(labels["findings_line"].format(count=len(load_findings())))
    if results["leftovers"]:
        count = _counted(labels, len(results["leftovers"]), "resource_noun")
        sentences.append(labels["leftovers_line"].format(count=count))
    return sentences


def _operation_view(
    operation: Mapping[str, Any], workarounds: Mapping[str, Any], lang: str
) -> dict[str, Any]:
    view = dict(operation)
    view["group"] = group_of(operation)
    view["workaround"] = None
    if operation["state"] == "missing":
        entry = workarounds.get(operation["operationId"])
        view["workaround"] = entry.get(lang) if entry else None
    return view


def operation_groups(
    results: Mapping[str, Any], workarounds: Mapping[str, Any], lang: str
) -> list[dict[str, Any]]:
    """Return the non-empty report sections in GROUP_ORDER, each with its sorted operations."""
    views = [_operation_view(operation, workarounds, lang) for operation in results["operations"]]
    groups = []
    for key in GROUP_ORDER:
        members = sorted((view for view in views if view["group"] == key), key=_sort_key)
        if members:
            groups.append({"key": key, "operations": members})
    return groups


def priority_rows(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Count operations per priority (live operations have none) and state."""
    rows = []
    for priority in ("high", "medium", "low", None):
        members = [operation for operation in results["operations"] if operation["priority"] == priority]
        if members:
            counts = {state: sum(1 for member in members if member["state"] == state) for state in STATES}
            rows.append({"priority": priority or "none", "counts": counts, "total": len(members)})
    return rows


def finding_views(lang: str) -> list[dict[str, Any]]:
    """Return the design findings in one language."""
    return [
        {
            "id": finding["id"],
            "operations": finding["operations"],
            "title": finding["title"][lang],
            "problem": finding["problem"][lang],
            "suggestion": finding["suggestion"][lang],
        }
        for finding in load_findings()
    ]


def comparison_view(results: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the static comparison with its differences sorted most severe first."""
    comparison = results["spec_comparison"]
    if comparison is None:
        return None
    differences = sorted(
        comparison["differences"],
        key=lambda item: (
            SEVERITY_RANK[item["severity"]],
            str(item.get("operationId") or ""),
            item["kind"],
            item["location"],
        ),
    )
    return {"source": comparison["source"], "differences": differences}


def in_language(results: Mapping[str, Any], lang: str) -> Mapping[str, Any]:
    """Return `results` with each reason and message in `lang` where the runner stored that language.

    Runners since results.json gained them write `reason_zh` and `message_zh` beside the English
    text; older files keep their English sentences.
    """
    if lang != "zh-CN":
        return results
    localized = dict(results)
    localized["operations"] = [_localized(item, "reason") for item in results["operations"]]
    localized["scenarios"] = [_localized(item, "message") for item in results["scenarios"]]
    localized["leftovers"] = [_localized(item, "reason") for item in results["leftovers"]]
    return localized


def _localized(item: Mapping[str, Any], name: str) -> dict[str, Any]:
    copy = dict(item)
    translated = item.get(f"{name}_zh")
    if isinstance(translated, str) and translated:
        copy[name] = translated
    return copy


def build_context(results: Mapping[str, Any], lang: str, workarounds: Mapping[str, Any]) -> dict[str, Any]:
    """Collect everything one language's report prints."""
    labels = load_labels()[lang]
    results = in_language(results, lang)
    return {
        "lang": lang,
        "t": labels,
        "results": results,
        "run": results["run"],
        "tool": results["tool"],
        "verdict": verdict_paragraph(results, labels),
        "states": STATES,
        "state_counts": results["summary"]["states"],
        "total": len(results["operations"]),
        "priority_rows": priority_rows(results),
        "groups": operation_groups(results, workarounds, lang),
        "findings": finding_views(lang),
        "scenarios": sorted(results["scenarios"], key=lambda scenario: scenario["name"]),
        "leftovers": sorted(results["leftovers"], key=lambda item: (item["kind"], item["id"])),
        "comparison": comparison_view(results),
    }
