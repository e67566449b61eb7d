"""Jinja filters that keep values from a results file from breaking the markup.

Messages, curl commands and received bodies come from the server under test, so
they may hold pipes, backticks or newlines. Markdown has no escape for a code
span or a fence, so the filters pick delimiters longer than any backtick run in
the value, as CommonMark allows.
"""

from __future__ import annotations

import re

import markupsafe

_BACKTICK_RUN = re.compile(r"`+")


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in _BACKTICK_RUN.findall(text)), default=0)


def fenced(text: object, info: str = "text") -> str:
    """Wrap text in a fenced code block whose fence no line of the text can close."""
    body = str(text).rstrip("\n")
    fence = "`" * max(3, _longest_backtick_run(body) + 1)
    return f"{fence}{info}\n{body}\n{fence}"


def code(text: object) -> str:
    """Format a one-line code span, collapsing newlines and padding around backticks."""
    value = " ".join(str(text).split("\n"))
    ticks = "`" * (_longest_backtick_run(value) + 1)
    if value.startswith("`") or value.endswith("`"):
        value = f" {value} "
    return f"{ticks}{value}{ticks}"


def cell(text: object) -> str:
    """Make text safe inside one Markdown table cell."""
    return " ".join(str(text).split("\n")).replace("|", "\\|")


def one_line(text: object) -> str:
    """Collapse a message onto one line so it stays inside its list item."""
    return " ".join(str(text).split())


def pre_text(text: object) -> markupsafe.Markup:
    """Escape text for a <pre> element, writing newlines as character references."""
    return markupsafe.Markup(str(markupsafe.escape(str(text))).replace("\n", "&#10;"))


_CODE_SPAN = re.compile(r"`([^`]+)`")


def code_spans_html(text: object) -> markupsafe.Markup:
    """Escape text for HTML and turn its Markdown `code spans` into <code> elements."""
    escaped = str(markupsafe.escape(str(text)))
    return markupsafe.Markup(_CODE_SPAN.sub(r"<code>\1</code>", escaped))
