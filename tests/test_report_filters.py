"""reports.filters: values from a server under test cannot break the report markup."""

from __future__ import annotations

from reports.filters import cell, code, code_spans_html, fenced, one_line, pre_text


def test_fence_outgrows_backticks_in_text() -> None:
    assert fenced("echo ````x", "sh") == "`````sh\necho ````x\n`````"


def test_fence_defaults_to_three_backticks() -> None:
    assert fenced("curl -X GET 'http://127.0.0.1:3090/health'\n", "sh") == (
        "```sh\ncurl -X GET 'http://127.0.0.1:3090/health'\n```"
    )


def test_code_span_survives_backticks() -> None:
    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"


def test_code_span_is_one_line() -> None:
    assert code("first\nsecond") == "`first second`"


def test_table_cell_escapes_pipe_and_newline() -> None:
    assert cell("a|b\nc") == "a\\|b c"


def test_one_line_collapses_whitespace() -> None:
    assert one_line("  a \n\t b  ") == "a b"


def test_pre_text_escapes_and_keeps_newlines() -> None:
    assert str(pre_text("<b>\n&")) == "&lt;b&gt;&#10;&amp;"


def test_code_spans_become_code_elements() -> None:
    assert str(code_spans_html("use `quota` <not> `new_quota`")) == (
        "use <code>quota</code> &lt;not&gt; <code>new_quota</code>"
    )
