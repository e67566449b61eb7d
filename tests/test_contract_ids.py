"""Literal ids such as "null", "false" and "0" are ordinary ids, never accepted negative data."""

from __future__ import annotations

import pytest
from schemathesis.core.parameters import ParameterLocation
from schemathesis.python import asgi

from contract_tests.evaluation import ids_only_negated, wire_form
from contract_tests.runner import RunConfig, default_app, run

LITERAL_IDS = ["null", "false", "true", "0"]
PATH = ParameterLocation.PATH
BODY = ParameterLocation.BODY


@pytest.mark.parametrize(("value", "sent"), [(None, "null"), (False, "false"), (True, "true"), (0, "0")])
def test_wire_form_of_json_literals(value: object, sent: str) -> None:
    assert wire_form(value) == sent


@pytest.mark.parametrize("value", [None, False, 0, "null", "0"])
def test_literal_path_id_is_false_alarm(value: object) -> None:
    assert ids_only_negated({PATH}, {"c_organization_id": value}, {})


def test_slash_in_path_id_is_real_negative() -> None:
    assert not ids_only_negated({PATH}, {"c_organization_id": "a/b"}, {})


def test_structured_path_value_is_real_negative() -> None:
    assert not ids_only_negated({PATH}, {"c_organization_id": ["a", "b"]}, {})


def test_negated_body_is_real_negative() -> None:
    assert not ids_only_negated({PATH, BODY}, {"c_organization_id": "null"}, {})


def test_nothing_negated_is_not_false_alarm() -> None:
    assert not ids_only_negated(set(), {"c_organization_id": "null"}, {})


@pytest.mark.slow
def test_run_with_literal_ids_has_no_negative_findings() -> None:
    app = default_app()
    loaded = asgi.get_client(app).post(
        "http://testserver/_mock/fixtures",
        json={
            "organizations": [{"c_organization_id": value, "quota": "1"} for value in LITERAL_IDS],
            "teams": [
                {"c_organization_id": value, "c_team_id": value, "quota": "1"} for value in LITERAL_IDS
            ],
            "keys": [
                {"c_organization_id": value, "key_type": "USER", "c_user_id": value, "quota": "1"}
                for value in LITERAL_IDS
            ],
        },
    )
    assert loaded.status_code == 200, loaded.text

    results = run(RunConfig(app=app, max_examples=20, seed=2, stateful=False, scenarios=False))

    negative = [
        (op.operationId, f.message)
        for op in results.operations
        for f in op.failures
        if f.check == "negative_data_rejection"
    ]
    assert negative == []
    assert results.verdict().value == "holds"
