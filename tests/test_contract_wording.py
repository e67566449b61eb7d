"""Consistent wording: --lang before the subcommand, one masking placeholder."""

from __future__ import annotations

import pytest

import spec
from contract_tests.cli import invoke
from contract_tests.client import MASK
from contract_tests.runner import _schemathesis_schema


def test_lang_before_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    code = invoke(["--lang", "zh-CN", "run", "--help"])

    assert code == 0
    assert "被测服务的基础 URL" in capsys.readouterr().out


def test_schemathesis_mask_matches_header_mask() -> None:
    # schemathesis hides credential headers it sends itself; its default placeholder is another word.
    schema = _schemathesis_schema(spec.load_spec())

    assert schema.config.output.sanitization.replacement == MASK
