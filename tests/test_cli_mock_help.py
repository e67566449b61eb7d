"""kms-mock --help: fully translated, and wrapped only between words, never inside an identifier."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from mock_server import cli
from mock_server.messages import MESSAGES

HELP_KEYS = [key for key in MESSAGES if key.endswith("_help")]
# Option names, field names, environment variables, lists such as 1,2,4 and
# examples such as getTeamSpend:latency_ms=100-400.
IDENTIFIER = re.compile(r"[A-Za-z0-9_*./:=,\[\]-]*[A-Za-z0-9][_,-][A-Za-z0-9_*./:=,\[\]-]*")


def render_help(lang: str, width: int) -> str:
    result = CliRunner().invoke(cli.build_command(lang), ["--help"], terminal_width=width)
    assert result.exit_code == 0, result.output
    return result.output


def identifiers(lang: str) -> set[str]:
    found: set[str] = set()
    for key in HELP_KEYS:
        for token in IDENTIFIER.findall(MESSAGES[key][lang]):
            found.add(token.rstrip(".,;:"))
    return found


@pytest.mark.parametrize("width", [60, 80, 100, 120])
@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_help_never_splits_identifier(lang: str, width: int) -> None:
    lines = render_help(lang, width).splitlines()

    broken = sorted(token for token in identifiers(lang) if not any(token in line for line in lines))
    assert broken == []


def test_chinese_help_translates_help_option() -> None:
    output = render_help("zh-CN", 100)

    assert "Show this message and exit" not in output
    assert "显示此帮助信息并退出" in output


@pytest.mark.parametrize("key", HELP_KEYS)
def test_every_help_text_has_chinese(key: str) -> None:
    assert MESSAGES[key]["zh-CN"] != MESSAGES[key]["en"]
