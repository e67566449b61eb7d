"""Write the gap reports of one results dictionary.

Outputs depend only on the results and the packaged spec, findings and
templates: no clock, no locale, no dictionary order, so the same results give
byte-identical files and a committed sample report can be checked for drift.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from reports import filters
from reports.context import LANGUAGES, build_context
from reports.validation import validate_results

logger = logging.getLogger("kms_contract")

MARKDOWN_NAMES = {"en": "report.en.md", "zh-CN": "report.zh-CN.md"}
HTML_NAME = "report.html"
RESULTS_NAME = "results.json"


def _environment(autoescape: bool) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        fenced=filters.fenced,
        code=filters.code,
        cell=filters.cell,
        one_line=filters.one_line,
        pre_text=filters.pre_text,
        code_spans_html=filters.code_spans_html,
    )
    return environment


def serialise_results(results: Mapping[str, Any]) -> str:
    """Return the canonical JSON text of a results dictionary: sorted keys, two-space indent."""
    return json.dumps(results, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def workarounds_from_spec() -> dict[str, Any]:
    """Map operationId to its x-kms-workaround entry from the packaged spec."""
    import spec  # imported here so that validating or serialising results needs no spec

    document = spec.load_spec()
    return {
        operation.operation_id: operation.workaround
        for operation in spec.operations(document)
        if operation.workaround is not None
    }


def render_markdown(results: Mapping[str, Any], lang: str, workarounds: Mapping[str, Any]) -> str:
    """Return one language's Markdown report."""
    template = _environment(autoescape=False).get_template("report.md.j2")
    return _tidy(template.render(build_context(results, lang, workarounds)))


def render_html(results: Mapping[str, Any], workarounds: Mapping[str, Any]) -> str:
    """Return the self-contained HTML page carrying every language."""
    template = _environment(autoescape=True).get_template("report.html.j2")
    contexts = [build_context(results, lang, workarounds) for lang in LANGUAGES]
    return _tidy(template.render(contexts=contexts, first=contexts[0]))


def _tidy(text: str) -> str:
    """Drop trailing spaces and runs of blank lines that template branches leave behind.

    Lines inside a Markdown fence are kept as they are, because they are the
    reproducing command. The HTML template writes newlines inside <pre> as
    character references, so no HTML line is ever inside a block.
    """
    tidied: list[str] = []
    fence = ""
    for line in text.splitlines():
        marker = line.lstrip()
        if fence:
            tidied.append(line)
            fence = "" if marker.rstrip() == fence else fence
            continue
        if marker.startswith("```"):
            fence = marker[: len(marker) - len(marker.lstrip("`"))]
        line = line.rstrip()
        if line or (tidied and tidied[-1]):
            tidied.append(line)
    return "\n".join(tidied).strip("\n") + "\n"


def render(
    results: dict[str, Any], out_dir: Path, *, workarounds: Mapping[str, Any] | None = None
) -> list[Path]:
    """Validate results and write both Markdown reports, the HTML page and results.json.

    ``workarounds`` maps operationId to ``{"en": {approach, cost}, "zh-CN": {...}}``;
    by default it is read from the packaged spec's x-kms-workaround annotations.
    """
    validate_results(results)
    if workarounds is None:
        workarounds = workarounds_from_spec()
    out_dir.mkdir(parents=True, exist_ok=True)

    outputs = {MARKDOWN_NAMES[lang]: render_markdown(results, lang, workarounds) for lang in LANGUAGES}
    outputs[HTML_NAME] = render_html(results, workarounds)
    outputs[RESULTS_NAME] = serialise_results(results)

    written = []
    for name, text in outputs.items():
        path = out_dir / name
        # newline="\n" keeps the bytes identical on every platform.
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    logger.info("wrote %d report files to %s", len(written), out_dir)
    return written
